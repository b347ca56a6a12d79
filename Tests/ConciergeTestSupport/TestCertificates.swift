// Certificates for the TLS tests, made with the `openssl` command line in a temporary folder: a CA, server
// certificates for 127.0.0.1, client certificates from that CA and from a stranger's.

package import ConciergeHTTP
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// PEM files made once per test run.
package enum TestCertificates {
    package struct Files: Sendable {
        package var folder: String
        package var caCertificate: String { folder + "/ca.pem" }
        /// The server's certificate (CN "concierge-first", for 127.0.0.1) and key.
        package var serverCertificate: String { folder + "/first.pem" }
        package var serverKey: String { folder + "/first.key" }
        /// A second server certificate from the same CA (CN "concierge-second"), for reloads.
        package var secondCertificate: String { folder + "/second.pem" }
        package var secondKey: String { folder + "/second.key" }
        /// A client certificate from the CA, and one from a CA the server does not trust.
        package var clientCertificate: String { folder + "/client.pem" }
        package var clientKey: String { folder + "/client.key" }
        package var strangerCertificate: String { folder + "/stranger.pem" }
        package var strangerKey: String { folder + "/stranger.key" }
    }

    package static let files: Result<Files, ClientError> = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("concierge-tls-\(UUID().uuidString)")
            .path
        let files = Files(folder: folder)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try makeAuthority("ca", in: folder)
            try makeAuthority("stranger-ca", in: folder)
            try issue("first", by: "ca", in: folder, serverName: true)
            try issue("second", by: "ca", in: folder, serverName: true)
            try issue("client", by: "ca", in: folder, serverName: false)
            try issue("stranger", by: "stranger-ca", in: folder, serverName: false)
        } catch let error as ClientError {
            return .failure(error)
        } catch {
            return .failure(ClientError(description: "\(error)"))
        }
        return .success(files)
    }()

    private static func openssl(_ arguments: [String]) throws {
        let result = try runProcess("/usr/bin/openssl", arguments, timeout: 30)
        guard result.status == 0 else {
            throw ClientError(description: "openssl \(arguments.joined(separator: " ")) failed: \(result.stderr)")
        }
    }

    private static func makeAuthority(_ name: String, in folder: String) throws {
        try openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "\(folder)/\(name).key", "-out", "\(folder)/\(name).pem", "-days", "2",
            "-subj", "/CN=Concierge test \(name)",
        ])
    }

    private static func issue(_ name: String, by authority: String, in folder: String, serverName: Bool) throws {
        let path = "\(folder)/\(name)"
        try openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "\(path).key", "-out", "\(path).csr", "-subj", "/CN=concierge-\(name)",
        ])
        let extensions = serverName ? "subjectAltName=IP:127.0.0.1,DNS:localhost" : "extendedKeyUsage=clientAuth"
        try extensions.write(toFile: "\(path).ext", atomically: true, encoding: .utf8)
        try openssl([
            "x509", "-req", "-in", "\(path).csr", "-CA", "\(folder)/\(authority).pem", "-CAkey",
            "\(folder)/\(authority).key", "-CAcreateserial", "-out", "\(path).pem", "-days", "2",
            "-extfile", "\(path).ext",
        ])
    }

    /// A TLS configuration on the first server certificate, copied to a folder of its own so a test may
    /// overwrite the files.
    package static func serverTLS(clientCA: Bool = false) throws -> HTTPServerConfiguration.TLS {
        let files = try files.get()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("concierge-tls-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: files.serverCertificate, toPath: folder + "/server.pem")
        try FileManager.default.copyItem(atPath: files.serverKey, toPath: folder + "/server.key")
        return HTTPServerConfiguration.TLS(
            certificateChainPath: folder + "/server.pem", privateKeyPath: folder + "/server.key",
            clientCAPath: clientCA ? files.caCertificate : nil)
    }

    /// Replaces a file's contents the way a certificate renewal does: write beside it, then rename over it.
    package static func replace(_ path: String, with source: String) throws {
        let temporary = path + ".new"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.copyItem(atPath: source, toPath: temporary)
        guard rename(temporary, path) == 0 else { throw ClientError(description: "rename \(temporary) failed") }
    }
}
