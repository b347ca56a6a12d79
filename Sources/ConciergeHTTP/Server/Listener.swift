#if canImport(Glibc)
    import ConciergeSystem
    import Glibc
#endif

/// A bound, listening, non-blocking TCP socket.
struct Listener {
    let fd: Int32
    let port: Int

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(host: String, port: Int, backlog: Int32 = 1024) throws(Failure) {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &found)
        guard status == 0, let address = found else {
            throw Failure(description: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(found) }

        let fd: Int32
        do {
            fd = try SystemCall.retryingInterrupts("socket") {
                socket(
                    address.pointee.ai_family,
                    Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            }
        } catch {
            throw Failure(description: "cannot create a socket: \(error.reason)")
        }
        var on: Int32 = 1
        _ = try? SystemCall.retryingInterrupts("setsockopt") {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        do {
            _ = try SystemCall.retryingInterrupts("bind") {
                bind(fd, address.pointee.ai_addr, address.pointee.ai_addrlen)
            }
            _ = try SystemCall.retryingInterrupts("listen") { listen(fd, backlog) }
        } catch {
            SystemCall.close(fd)
            throw Failure(description: "cannot listen on \(host):\(port): \(error.reason)")
        }
        self.fd = fd
        self.port = Self.boundPort(fd) ?? port
    }

    private static func boundPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) { address in
            address.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                try? SystemCall.retryingInterrupts("getsockname") { getsockname(fd, address, &length) }
            }
        }
        guard named != nil else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    Int(UInt16(bigEndian: $0.pointee.sin6_port))
                }
            }
        default:
            return nil
        }
    }
}
