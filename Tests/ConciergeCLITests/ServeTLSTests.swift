// `concierge serve` over TLS: the real binary in a child process, configured from the environment, reloading its
// certificate on SIGHUP. What the server does with open connections on a reload is ConciergeHTTPTests' TLSTests.

import ConciergeTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct ServeTLSTests {
    /// The common name of the certificate the server at `port` shows, as curl reports it; nil if no handshake.
    private static func peerCommonName(port: Int, caCertificate: String) -> String? {
        guard
            let result = try? runCurl([
                "-sS", "-v", "-o", "/dev/null", "--cacert", caCertificate, "https://127.0.0.1:\(port)/live",
            ]), result.status == 0,
            let subject = result.stderr.split(separator: "\n").first(where: { $0.contains("subject: CN=") })
        else { return nil }
        return subject.components(separatedBy: "subject: CN=").last
    }

    @Test func serveWithTLSReloadsOnSIGHUP() async throws {
        guard let binary = requireConciergeBinary() else { return }
        let files = try TestCertificates.files.get()
        let tls = try TestCertificates.serverTLS()
        let server = try ServeProcess(
            binary: binary,
            environment: ["CONCIERGE_TLS_CERT": tls.certificateChainPath, "CONCIERGE_TLS_KEY": tls.privateKeyPath])
        defer { server.stop() }
        let ready = poll(until: 10) {
            Self.peerCommonName(port: server.port, caCertificate: files.caCertificate) != nil
        }
        #expect(ready, "log:\n\(server.log)")
        #expect(Self.peerCommonName(port: server.port, caCertificate: files.caCertificate) == "concierge-first")

        try TestCertificates.replace(tls.certificateChainPath, with: files.secondCertificate)
        try TestCertificates.replace(tls.privateKeyPath, with: files.secondKey)
        server.signal(SIGHUP)
        #expect(
            poll(until: 5) {
                Self.peerCommonName(port: server.port, caCertificate: files.caCertificate) == "concierge-second"
            }, "log:\n\(server.log)")
        #expect(poll(until: 2) { server.log.contains("reloaded the TLS certificate") }, "log:\n\(server.log)")
        #expect(server.isRunning)

        let health = try runProcess(
            binary,
            ["healthcheck", "--url", "https://127.0.0.1:\(server.port)/health", "--cacert", files.caCertificate])
        #expect(health.status == 0, "\(health.stdout) \(health.stderr)")
    }

    @Test func serveRefusesHalfATLSConfiguration() throws {
        guard let binary = requireConciergeBinary() else { return }
        let result = try runProcess(binary, ["serve", "--host", "127.0.0.1", "--port", "0", "--tls-cert", "cert.pem"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--tls-key"), "\(result.stderr)")
    }
}
