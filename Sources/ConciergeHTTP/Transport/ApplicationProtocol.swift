/// The protocols ALPN can choose between (RFC 7301), in the server's order of preference.
enum ApplicationProtocol: Equatable {
    case http2
    case http1_1

    /// From the protocol name ALPN negotiated; nil for a name we did not offer.
    init?(alpn name: some Collection<UInt8>) {
        if name.elementsEqual("h2".utf8) {
            self = .http2
        } else if name.elementsEqual("http/1.1".utf8) {
            self = .http1_1
        } else {
            return nil
        }
    }
}
