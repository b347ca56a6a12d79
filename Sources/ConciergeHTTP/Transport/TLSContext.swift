import COpenSSL

#if canImport(Glibc)
    import ConciergeSystem
    import Glibc
#endif

/// One loaded certificate chain and key with the server's TLS settings: an OpenSSL `SSL_CTX`, from which
/// each connection's TLS session is made. Never changed once made, so any queue may make sessions from it;
/// a reload makes a new one. A session keeps its context alive (OpenSSL counts the references), so
/// connections made before a reload are untouched by it.
final class TLSContext: @unchecked Sendable {
    let pointer: OpaquePointer

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// TLS 1.2's AEAD suites with forward secrecy (Mozilla's "intermediate" list); TLS 1.3 keeps OpenSSL's
    /// defaults, which are all of that kind. None is on RFC 9113's list of suites HTTP/2 must refuse.
    private static let tls12Ciphers =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
        + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

    init(_ configuration: HTTPServerConfiguration.TLS) throws(Failure) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw Failure(description: "cannot create a TLS context: \(Self.openSSLErrors())")
        }
        pointer = context
        // From here on, a failure frees the context in deinit.
        guard concierge_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1,
            SSL_CTX_set_cipher_list(context, Self.tls12Ciphers) == 1
        else {
            throw Failure(description: "cannot apply the TLS settings: \(Self.openSSLErrors())")
        }
        _ = SSL_CTX_set_options(context, concierge_ssl_server_options())
        _ = concierge_SSL_CTX_set_mode(context, concierge_ssl_server_modes())

        try Self.checkReadable(configuration.certificateChainPath, "the TLS certificate")
        guard SSL_CTX_use_certificate_chain_file(context, configuration.certificateChainPath) == 1 else {
            throw Failure(
                description:
                    "cannot use the TLS certificate \(configuration.certificateChainPath): \(Self.openSSLErrors())")
        }
        try Self.checkReadable(configuration.privateKeyPath, "the TLS private key")
        let mismatch = Failure(
            description: "the TLS private key \(configuration.privateKeyPath) does not match the certificate "
                + "\(configuration.certificateChainPath)")
        guard SSL_CTX_use_PrivateKey_file(context, configuration.privateKeyPath, SSL_FILETYPE_PEM) == 1 else {
            // OpenSSL compares a key with the certificate of its own kind as it loads it.
            if ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH { throw mismatch }
            throw Failure(
                description: "cannot use the TLS private key \(configuration.privateKeyPath): \(Self.openSSLErrors())")
        }
        // A key of another kind (EC for an RSA certificate) loads without complaint; this catches it.
        guard SSL_CTX_check_private_key(context) == 1 else { throw mismatch }
        if let clientCAPath = configuration.clientCAPath {
            try Self.checkReadable(clientCAPath, "the client CA file")
            guard SSL_CTX_load_verify_locations(context, clientCAPath, nil) == 1,
                let names = SSL_load_client_CA_file(clientCAPath)
            else {
                throw Failure(description: "cannot use the client CA file \(clientCAPath): \(Self.openSSLErrors())")
            }
            // The CA names go out in the CertificateRequest, so a client with several certificates can pick.
            SSL_CTX_set_client_CA_list(context, names)
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        }
        // Sessions may be resumed only by this server; OpenSSL refuses to resume a verified-client
        // session without a context id.
        let sessionContext = Array("concierge".utf8)
        _ = SSL_CTX_set_session_id_context(context, sessionContext, UInt32(sessionContext.count))
        SSL_CTX_set_alpn_select_cb(context, concierge_alpn_select, nil)
    }

    deinit { SSL_CTX_free(pointer) }

    /// The file's own problem (missing, unreadable) reads better than OpenSSL's account of it.
    private static func checkReadable(_ path: String, _ what: String) throws(Failure) {
        do {
            _ = try SystemCall.retryingInterrupts("access") { access(path, R_OK) }
        } catch {
            throw Failure(description: "cannot read \(what) \(path): \(error.reason)")
        }
    }

    /// Empties this thread's OpenSSL error queue into one line.
    static func openSSLErrors() -> String {
        var text = [CChar](repeating: 0, count: 1024)
        concierge_take_openssl_errors(&text, text.count)
        let reasons = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return reasons.isEmpty ? "unknown OpenSSL error" : reasons
    }
}
