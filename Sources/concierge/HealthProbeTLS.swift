import COpenSSL

#if canImport(Glibc)
    import Glibc
#endif

/// The health probe's request and response through TLS on an already connected, blocking socket, with the
/// server's certificate verified (against `caFile`, or the system's CAs) and matched to the host asked for.
struct HealthProbeTLS {
    var host: String
    var caFile: String?

    func exchange(_ request: [UInt8], on fd: Int32, peer: String) throws -> [UInt8] {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw failure(peer, "cannot create a TLS context") }
        defer { SSL_CTX_free(context) }
        let trusted =
            if let caFile { SSL_CTX_load_verify_locations(context, caFile, nil) } else {
                SSL_CTX_set_default_verify_paths(context)
            }
        guard trusted == 1 else { throw failure(peer, "cannot read the CA certificates \(caFile ?? "of the system")") }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        guard let session = SSL_new(context) else { throw failure(peer, "cannot create a TLS session") }
        defer { SSL_free(session) }
        // The certificate must name what the URL names: an IP address, or a host name.
        let parameters = SSL_get0_param(session)
        if X509_VERIFY_PARAM_set1_ip_asc(parameters, host) != 1 {
            ERR_clear_error()
            SSL_set1_host(session, host)
        }
        SSL_set_fd(session, fd)
        guard SSL_connect(session) == 1 else { throw failure(peer, "TLS handshake failed") }
        guard SSL_write(session, request, Int32(request.count)) == Int32(request.count) else {
            throw failure(peer, "the request could not be sent")
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = SSL_read(session, &chunk, Int32(chunk.count))
            if count <= 0 { break }
            response += chunk[..<Int(count)]
        }
        return response
    }

    private func failure(_ peer: String, _ what: String) -> CommandFailure {
        var text = [CChar](repeating: 0, count: 1024)
        concierge_take_openssl_errors(&text, text.count)
        let reasons = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return CommandFailure("\(peer): \(what)" + (reasons.isEmpty ? "" : ": " + reasons))
    }
}
