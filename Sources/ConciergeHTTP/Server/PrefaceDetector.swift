/// The first handler of a connection that ALPN did not decide: a client speaking HTTP/2 with prior
/// knowledge opens with the connection preface (RFC 9113 §3.4), anything else is HTTP/1.x. It decides on
/// the first bytes and hands over for good, so HTTP/1.1's path pays for the check once per connection.
final class PrefaceDetector: HTTPProtocolHandler {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    private let allowsUpgrade: Bool
    /// Set while a beginning of the preface has arrived and the rest has not.
    private var firstByteAt: UInt64?

    init(allowsUpgrade: Bool) {
        self.allowsUpgrade = allowsUpgrade
    }

    func process(_ connection: Connection) {
        let bytes = connection.input.readable
        guard !bytes.isEmpty else { return }
        let compared = min(bytes.count, Self.preface.count)
        guard bytes.prefix(compared).elementsEqual(Self.preface.prefix(compared)) else {
            connection.switchProtocol(
                to: HTTP1Handler(
                    limits: connection.configuration.limits, allowsUpgrade: allowsUpgrade, requestBegan: firstByteAt))
            return
        }
        if compared == Self.preface.count {
            connection.switchProtocol(to: HTTP2Handler(connection))
        } else if firstByteAt == nil {
            firstByteAt = connection.lastActivity
        }
    }

    func outputDrained(_ connection: Connection) {}

    /// Answered in HTTP/1.1, as before any byte is read nothing says the client speaks anything else.
    func reject(_ connection: Connection, with error: HTTPError) {
        let http1 = HTTP1Handler(limits: connection.configuration.limits, allowsUpgrade: false)
        connection.switchProtocol(to: http1)
        http1.reject(connection, with: error)
    }

    func drain(_ connection: Connection) {
        if connection.input.isEmpty, !connection.hasUnreadBytes { connection.close() }
    }

    /// No request begins before the protocol is known.
    func connectionClosed(_ connection: Connection) {}

    /// No request to answer, so no 408 either: a silent client is closed, as nginx does.
    func checkTimeouts(_ connection: Connection, now: UInt64) {
        if let firstByteAt {
            // Part of a preface, then nothing.
            if now - firstByteAt > connection.configuration.timeouts.header.nanoseconds { connection.close() }
        } else if (connection.worker.isDraining && !connection.hasUnreadBytes)
            || connection.hasWaitedTooLongForARequest(now: now, answeredAny: false)
        {
            connection.close()
        }
    }
}
