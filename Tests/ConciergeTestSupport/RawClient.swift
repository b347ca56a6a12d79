// A small blocking raw-socket HTTP/1.1 client, for saying exactly what a server sees and answers. It talks to
// 127.0.0.1 only.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

package struct ClientError: Error, CustomStringConvertible {
    package var description: String

    package init(description: String) { self.description = description }
}

/// One parsed HTTP/1.1 response.
package struct RawResponse: CustomStringConvertible {
    package var version: String
    package var status: Int
    package var reason: String
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    package func headers(named name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    package var bodyString: String { String(decoding: body, as: UTF8.self) }

    package var closesConnection: Bool { header("Connection")?.lowercased() == "close" }

    /// The `code` of a `{"error":{"code":…,"message":…}}` body.
    package var errorCode: String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let error = object["error"] as? [String: Any]
        else { return nil }
        return error["code"] as? String
    }

    package var errorMessage: String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let error = object["error"] as? [String: Any]
        else { return nil }
        return error["message"] as? String
    }

    package var description: String {
        "\(version) \(status) \(reason) " + headers.map { "\($0.name): \($0.value)" }.joined(separator: " | ")
            + " <\(body.count) bytes: \(bodyString.prefix(200))>"
    }
}

/// A blocking HTTP/1.1 client on one TCP connection, for saying exactly what the server sees.
package final class RawClient: @unchecked Sendable {
    package private(set) var fd: Int32
    private var buffer: [UInt8] = []
    /// Set once a read returned end of file (or the connection was reset).
    package private(set) var peerClosed = false
    package private(set) var resetByPeer = false
    /// Bytes this client has sent and received on the connection.
    package private(set) var sentByteCount = 0
    package private(set) var receivedByteCount = 0

    /// Connects to 127.0.0.1:`port`; throws `ClientError` whose description names errno.
    package init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let error = errno
            Glibc.close(fd)
            fd = -1
            throw ConnectError(errno: error)
        }
        var on: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    package struct ConnectError: Error, CustomStringConvertible {
        package var errno: Int32
        package var description: String { "connect: \(String(cString: strerror(errno)))" }
    }

    deinit { close() }

    package func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    /// Half-closes our side: the server reads end of file.
    package func shutdownWrite() {
        Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    package func send(_ text: String) throws { try send(Array(text.utf8)) }

    package func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw ClientError(description: "send: \(String(cString: strerror(errno)))")
            }
            offset += written
            sentByteCount += written
        }
    }

    /// Bytes received and not yet taken by `readResponse`.
    package var unread: [UInt8] { buffer }

    /// Waits up to `deadline` for readable data and reads once. Returns false on timeout.
    private func fill(deadline: Date) throws -> Bool {
        if peerClosed { return true }
        let remaining = deadline.timeIntervalSinceNow
        guard remaining > 0 else { return false }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = Glibc.poll(&descriptor, 1, Int32(max(1, (remaining * 1000).rounded(.up))))
        if ready < 0 {
            if errno == EINTR { return true }
            throw ClientError(description: "poll: \(String(cString: strerror(errno)))")
        }
        if ready == 0 { return false }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            buffer.append(contentsOf: chunk[..<count])
            receivedByteCount += count
        } else if count == 0 {
            peerClosed = true
        } else if errno == ECONNRESET {
            peerClosed = true
            resetByPeer = true
        } else if errno != EINTR && errno != EAGAIN {
            throw ClientError(description: "recv: \(String(cString: strerror(errno)))")
        }
        return true
    }

    /// Reads one response. `bodyless` is for answers to HEAD. A 1xx response is returned on its own.
    package func readResponse(timeout: Double = 5, bodyless: Bool = false) throws -> RawResponse {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let response = try parseBuffered(bodyless: bodyless) { return response }
            if peerClosed {
                throw ClientError(
                    description: "the server closed the connection before a full response; got \(buffer.count) bytes: "
                        + String(decoding: buffer, as: UTF8.self))
            }
            guard try fill(deadline: deadline) else {
                throw ClientError(
                    description: "no full response within \(timeout) s; got \(buffer.count) bytes: "
                        + String(decoding: buffer, as: UTF8.self))
            }
        }
    }

    /// Like `readResponse`, but nil (instead of an error) when nothing complete arrives within `timeout`.
    package func tryReadResponse(timeout: Double, bodyless: Bool = false) throws -> RawResponse? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let response = try parseBuffered(bodyless: bodyless) { return response }
            if peerClosed { return nil }
            guard try fill(deadline: deadline) else { return nil }
        }
    }

    /// Reads `count` responses in a row.
    package func readResponses(_ count: Int, timeout: Double = 5) throws -> [RawResponse] {
        try (0..<count).map { _ in try readResponse(timeout: timeout) }
    }

    /// Sends `request` and reads its response.
    package func exchange(_ request: String, timeout: Double = 5, bodyless: Bool = false) throws -> RawResponse {
        try send(request)
        return try readResponse(timeout: timeout, bodyless: bodyless)
    }

    /// Waits for end of file (or a reset) from the server, keeping what arrives before it.
    /// Returns whether the connection was closed within `timeout`.
    package func waitForClose(timeout: Double = 3) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !peerClosed {
            guard try fill(deadline: deadline) else { return false }
        }
        return true
    }

    /// True if nothing (no data, no end of file) arrives within `seconds`.
    package func staysQuiet(for seconds: Double) throws -> Bool {
        let before = buffer.count
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            _ = try fill(deadline: deadline)
            if peerClosed || buffer.count != before { return false }
        }
        return true
    }

    private func parseBuffered(bodyless: Bool) throws -> RawResponse? {
        try RawResponse.parse(&buffer, bodyless: bodyless, atEndOfStream: peerClosed)
    }

    /// Waits until at least `count` bytes are buffered. Returns false if the connection closed or
    /// `timeout` passed first.
    package func waitForBytes(_ count: Int, timeout: Double = 5) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while buffer.count < count {
            if peerClosed { return false }
            guard try fill(deadline: deadline) else { return false }
        }
        return true
    }

    /// Removes and returns the first `count` buffered bytes.
    package func take(_ count: Int) -> [UInt8] {
        defer { buffer.removeFirst(count) }
        return Array(buffer.prefix(count))
    }
}

extension RawResponse {
    /// Takes one response off the front of `buffer`, or returns nil when it is not all there yet.
    /// `atEndOfStream`: nothing more will come, so a body without Content-Length ends here.
    package static func parse(_ buffer: inout [UInt8], bodyless: Bool, atEndOfStream: Bool) throws -> RawResponse? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let headEnd = buffer.firstRange(of: separator) else { return nil }
        let headText = String(decoding: buffer[..<headEnd.lowerBound], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw ClientError(description: "bad status line: \(statusLine)")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else {
                throw ClientError(description: "bad header line: \(line)")
            }
            headers.append(
                (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = RawResponse(
            version: String(parts[0]), status: status, reason: parts.count > 2 ? String(parts[2]) : "",
            headers: headers, body: [])
        let bodyStart = headEnd.upperBound
        if bodyless || (100..<200).contains(status) || status == 204 || status == 304 {
            buffer.removeFirst(bodyStart)
            return response
        }
        if let lengthText = response.header("Content-Length") {
            guard let length = Int(lengthText) else {
                throw ClientError(description: "bad Content-Length \(lengthText)")
            }
            guard buffer.count - bodyStart >= length else { return nil }
            response.body = Array(buffer[bodyStart..<(bodyStart + length)])
            buffer.removeFirst(bodyStart + length)
            return response
        }
        // No Content-Length: the body runs to end of file.
        guard atEndOfStream else { return nil }
        response.body = Array(buffer[bodyStart...])
        buffer.removeAll()
        return response
    }
}

/// Whether connecting to `port` is refused (nothing listens any more).
package func connectionIsRefused(port: Int) -> Bool {
    do {
        let client = try RawClient(port: port)
        client.close()
        return false
    } catch let error as RawClient.ConnectError {
        return error.errno == ECONNREFUSED
    } catch {
        return false
    }
}

/// A free TCP port on 127.0.0.1, found by binding port 0 and closing the socket again.
package func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw ClientError(description: "socket failed") }
    defer { Glibc.close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard bound else { throw ClientError(description: "bind failed: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A plain GET request with the Host header.
package func getRequest(_ target: String, headers: [String] = [], version: String = "HTTP/1.1") -> String {
    "GET \(target) \(version)\r\nHost: 127.0.0.1\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n"
}

package func postRequest(_ target: String, body: String, headers: [String] = []) -> String {
    "POST \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.utf8.count)\r\n"
        + headers.map { $0 + "\r\n" }.joined() + "\r\n" + body
}
