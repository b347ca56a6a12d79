import ArgumentParser
import ConciergeSystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

struct HealthCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 only when the instance at --url answers /health with 200 and status \"ready\".",
        discussion: "For Docker's HEALTHCHECK and deploy scripts; prints the answer, or why there is none.")

    @Option(
        help: """
            The health URL (http or https). Default: http://127.0.0.1:$CONCIERGE_PORT/health (port 8080), \
            https when CONCIERGE_TLS_CERT is set, as beside a `serve` configured by the environment.
            """)
    var url = Self.defaultURL(ProcessInfo.processInfo.environment)

    @Option(help: "For https: trust the server certificate if this PEM CA file signed it (default: the system's CAs).")
    var cacert: String?

    @Option(help: "Seconds to wait for the answer.")
    var timeout = 2.0

    static func defaultURL(_ environment: [String: String]) -> String {
        let scheme = environment["CONCIERGE_TLS_CERT"] == nil ? "http" : "https"
        return "\(scheme)://127.0.0.1:\(environment["CONCIERGE_PORT"] ?? "8080")/health"
    }

    func run() throws {
        guard let answer = try HealthProbe.get(url: url, caFile: cacert, timeout: timeout) else {
            throw ValidationError("--url must be an http:// or https:// URL")
        }
        print("\(answer.status) \(answer.body)")
        let ready = answer.status == 200 && answer.body.contains(#""status":"ready""#)
        if !ready { throw ExitCode.failure }
    }
}

/// One blocking HTTP/1.1 GET with `Connection: close`: all a health check and the deploy checks need, with no
/// HTTP client dependency.
enum HealthProbe {
    struct Answer {
        var status: Int
        var body: String
        /// The header fields, in order, as `name: value` lines (no CR).
        var headerLines: [Substring] = []

        /// The first field named `name`, in any case.
        func header(_ name: String) -> String? {
            headerLines.lazy.compactMap { line -> String? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == name.lowercased() else { return nil }
                return parts[1].trimmingCharacters(in: .whitespaces)
            }.first
        }
    }

    /// GETs an http:// or https:// URL (path and query); nil when `url` is neither. `caFile` is for https;
    /// `bearerToken` is sent as `Authorization: Bearer`.
    static func get(url: String, caFile: String?, timeout: Double, bearerToken: String? = nil) throws -> Answer? {
        guard let components = URLComponents(string: url), components.scheme == "http" || components.scheme == "https",
            let host = components.host
        else { return nil }
        let secure = components.scheme == "https"
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        return try get(
            host: host, port: components.port ?? (secure ? 443 : 80), path: target,
            tls: secure ? HealthProbeTLS(host: host, caFile: caFile) : nil, timeout: timeout, bearerToken: bearerToken)
    }

    static func get(
        host: String, port: Int, path: String, tls: HealthProbeTLS?, timeout: Double, bearerToken: String? = nil
    ) throws -> Answer {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let address = found else {
            throw CommandFailure("cannot resolve \(host)")
        }
        defer { freeaddrinfo(found) }
        let fd = try probeCall("socket") { socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0) }
        defer { SystemCall.close(fd) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        _ = try probeCall("setsockopt") {
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        }
        _ = try probeCall("setsockopt") {
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        }
        // Not through SystemCall: an interrupted connect goes on in the background, and calling it again fails
        // with EALREADY.
        guard connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            throw CommandFailure("\(host):\(port): \(SystemCall.Failure(call: "connect", errno: errno).reason)")
        }
        let authorization = bearerToken.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        let request = Array(
            "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\n\(authorization)Connection: close\r\n\r\n".utf8)
        let response =
            if let tls { try tls.exchange(request, on: fd, peer: "\(host):\(port)") } else {
                try exchange(request, on: fd, peer: "\(host):\(port)")
            }
        let text = String(decoding: response, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let head = parts.first?.split(separator: "\r\n") ?? []
        let statusLine = head.first ?? ""
        guard statusLine.hasPrefix("HTTP/1."),
            let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
        else {
            throw CommandFailure("\(host):\(port): no HTTP answer within \(timeout) s")
        }
        return Answer(
            status: status, body: parts.dropFirst().joined(separator: "\r\n\r\n"), headerLines: Array(head.dropFirst()))
    }

    /// Sends the request and reads until the server closes.
    private static func exchange(_ request: [UInt8], on fd: Int32, peer: String) throws -> [UInt8] {
        let sent = try probeCall("send") { send(fd, request, request.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { throw CommandFailure("\(peer): the request could not be sent") }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        // A timeout (SO_RCVTIMEO) or an error ends the answer like the server's close does.
        while let count = try? probeCall("recv", { recv(fd, &chunk, chunk.count, 0) }), count > 0 {
            response += chunk[..<count]
        }
        return response
    }

    /// A system call of the probe, through `SystemCall`; a failure is a one-line command failure.
    private static func probeCall<Result: SignedInteger>(_ name: StaticString, _ call: () -> Result) throws -> Result {
        do {
            return try SystemCall.retryingInterrupts(name, call)
        } catch {
            throw CommandFailure(error.description)
        }
    }
}
