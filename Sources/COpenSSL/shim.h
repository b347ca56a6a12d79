#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <string.h>

// OpenSSL spells these as function-like macros or composite flag macros, which Swift cannot import.

static inline long concierge_SSL_CTX_set_min_proto_version(SSL_CTX *context, int version) {
    return SSL_CTX_set_min_proto_version(context, version);
}

static inline long concierge_SSL_CTX_set_max_proto_version(SSL_CTX *context, int version) {
    return SSL_CTX_set_max_proto_version(context, version);
}

static inline long concierge_SSL_CTX_set_mode(SSL_CTX *context, long mode) {
    return SSL_CTX_set_mode(context, mode);
}

/// Partial writes let a non-blocking SSL_write report each record as it leaves; the moving buffer lets
/// the retry after a would-block come from a byte array that grew (and moved) in the meantime; idle
/// connections give their read and write buffers back.
static inline long concierge_ssl_server_modes(void) {
    return SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS;
}

/// No renegotiation (a client-driven CPU cost with no use here), the server's cipher order, no TLS
/// compression (CRIME), and a peer that closes without close_notify reads as an ordinary end of stream.
static inline uint64_t concierge_ssl_server_options(void) {
    return SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION
        | SSL_OP_IGNORE_UNEXPECTED_EOF;
}

/// ALPN: h2 when the client offers it, else http/1.1; a client offering neither goes on without ALPN.
/// In C because `out` must point into storage that outlives the call.
static inline int concierge_alpn_select(
    SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg) {
    static const unsigned char server_protocols[] = "\x02h2\x08http/1.1";
    (void)ssl;
    (void)arg;
    if (SSL_select_next_proto((unsigned char **)out, outlen, server_protocols, sizeof(server_protocols) - 1,
            in, inlen) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    return SSL_TLSEXT_ERR_OK;
}

/// Empties this thread's OpenSSL error queue into `text` as "reason; reason; ...", for error messages.
static inline void concierge_take_openssl_errors(char *text, size_t size) {
    size_t used = 0;
    unsigned long code;
    text[0] = '\0';
    while ((code = ERR_get_error()) != 0) {
        if (used > 0 && used + 3 < size) {
            memcpy(text + used, "; ", 3);
            used += 2;
        }
        if (used + 1 < size) {
            ERR_error_string_n(code, text + used, size - used);
            used += strlen(text + used);
        }
    }
}
