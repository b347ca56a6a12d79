// A blocking TLS client for the tests, built on OpenSSL, that can hold a connection open, choose ALPN and show
// a client certificate. The certificates it checks come from ConciergeTestSupport's `TestCertificates`.

import COpenSSL
import ConciergeTestSupport
import Foundation
import Testing

@testable import ConciergeHTTP

#if canImport(Glibc)
    import Glibc
#endif

/// A TLS session a client kept, to offer for resumption on a later connection.
final class TLSTestSession {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { SSL_SESSION_free(pointer) }
}

/// A blocking TLS client on one connection, verifying the server against the test CA.
final class TLSTestClient {
    private let socket: RawClient
    private let context: OpaquePointer
    private let session: OpaquePointer
    private var buffer: [UInt8] = []
    private var ended = false

    /// Connects and completes the handshake, offering `resuming`'s session; throws `ClientError` naming
    /// OpenSSL's reason when it fails.
    init(
        port: Int, alpn: [String] = ["http/1.1"], certificate: (chain: String, key: String)? = nil,
        maxVersion: Int32? = nil, resuming: TLSTestSession? = nil
    ) throws {
        let files = try TestCertificates.files.get()
        socket = try RawClient(port: port)
        // Blocking reads and writes, bounded so a silent server fails the test instead of hanging it.
        var limit = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socket.fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket.fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw ClientError(description: "SSL_CTX_new failed")
        }
        self.context = context
        SSL_CTX_load_verify_locations(context, files.caCertificate, nil)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        if let maxVersion { _ = concierge_SSL_CTX_set_max_proto_version(context, maxVersion) }
        if let certificate {
            SSL_CTX_use_certificate_chain_file(context, certificate.chain)
            SSL_CTX_use_PrivateKey_file(context, certificate.key, SSL_FILETYPE_PEM)
        }
        guard let session = SSL_new(context) else { throw ClientError(description: "SSL_new failed") }
        self.session = session
        SSL_set_fd(session, socket.fd)
        let protocols = alpn.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
        SSL_set_alpn_protos(session, protocols, UInt32(protocols.count))
        if let resuming { SSL_set_session(session, resuming.pointer) }
        ERR_clear_error()
        guard SSL_connect(session) == 1 else {
            throw ClientError(description: "TLS handshake failed: \(TLSContext.openSSLErrors())")
        }
    }

    deinit {
        SSL_free(session)
        SSL_CTX_free(context)
    }

    var negotiatedProtocol: String? {
        var name: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(session, &name, &length)
        guard let name, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: name, count: Int(length)), as: UTF8.self)
    }

    var protocolVersion: String { String(cString: SSL_get_version(session)) }

    var isResumed: Bool { SSL_session_reused(session) == 1 }

    /// The session to resume later. TLS 1.3 sends it after the handshake, so read a response first.
    func resumableSession() -> TLSTestSession? {
        guard let saved = SSL_get1_session(session) else { return nil }
        return TLSTestSession(saved)
    }

    /// Ends the connection as a well-behaved client does, with close_notify: a session of a connection
    /// freed without it is not resumable.
    func close() {
        ERR_clear_error()
        _ = SSL_shutdown(session)
        socket.close()
    }

    /// The common name of the certificate the server presented.
    var peerCommonName: String? {
        guard let certificate = SSL_get1_peer_certificate(session) else { return nil }
        defer { X509_free(certificate) }
        var name = [CChar](repeating: 0, count: 256)
        guard
            X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, &name, Int32(name.count)) > 0
        else { return nil }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        ERR_clear_error()
        guard SSL_write(session, bytes, Int32(bytes.count)) == Int32(bytes.count) else {
            throw ClientError(description: "TLS write failed: \(TLSContext.openSSLErrors())")
        }
    }

    /// Reads one HTTP/1.1 response.
    func readResponse() throws -> RawResponse {
        while true {
            if let response = try RawResponse.parse(&buffer, bodyless: false, atEndOfStream: ended) { return response }
            guard !ended else { throw ClientError(description: "the server closed the TLS connection mid-response") }
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            ERR_clear_error()
            let count = SSL_read(session, &chunk, Int32(chunk.count))
            if count > 0 {
                buffer += chunk[..<Int(count)]
            } else if SSL_get_error(session, count) == SSL_ERROR_ZERO_RETURN {
                ended = true
            } else {
                throw ClientError(description: "TLS read failed: \(TLSContext.openSSLErrors())")
            }
        }
    }

    /// Reads until the server ends the connection (with close_notify or without), and returns what came
    /// before. Throws when the socket's 5 s read limit passes first.
    func readUntilClosed() throws -> [UInt8] {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            ERR_clear_error()
            errno = 0
            let count = SSL_read(session, &chunk, Int32(chunk.count))
            if count > 0 {
                received += chunk[..<Int(count)]
                continue
            }
            switch SSL_get_error(session, count) {
            // A blocking read that timed out, as OpenSSL reports it.
            case SSL_ERROR_WANT_READ:
                throw ClientError(description: "the server kept the TLS connection open for 5 s")
            default:
                return received
            }
        }
    }

    func exchange(_ request: String) throws -> RawResponse {
        try send(request)
        return try readResponse()
    }
}
