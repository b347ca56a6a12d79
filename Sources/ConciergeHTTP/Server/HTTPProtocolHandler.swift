/// The HTTP version spoken on one connection: turns the bytes in `connection.input` into requests for the
/// router and queues the answers on `connection.output`. `Connection` keeps the socket, the transport,
/// reading, writing and closing; a handler never touches the socket. Every call runs on the connection's
/// worker queue, and the connection is passed in rather than held, so the two never form a cycle.
///
/// `PrefaceDetector` starts every cleartext connection and hands over to `HTTP1Handler` or `HTTP2Handler`
/// on the first bytes; over TLS, ALPN chooses. `HTTP1Handler` hands over to `HTTP2Handler` on `Upgrade: h2c`.
protocol HTTPProtocolHandler: AnyObject {
    /// New bytes arrived in `connection.input`; the connection writes whatever is queued afterwards.
    func process(_ connection: Connection)
    /// Everything queued has been written; queue what was held back (the connection writes it).
    func outputDrained(_ connection: Connection)
    /// The connection is past the server's cap: answer with `error` and close.
    func reject(_ connection: Connection, with error: HTTPError)
    /// A graceful shutdown began: close when idle, finish what is in flight.
    func drain(_ connection: Connection)
    /// The worker's periodic sweep, for the protocol's own deadlines.
    func checkTimeouts(_ connection: Connection, now: UInt64)
    /// The socket is closed: requests begun and never answered are over (the client left).
    func connectionClosed(_ connection: Connection)
}
