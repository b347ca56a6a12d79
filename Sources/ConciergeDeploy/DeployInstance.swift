/// One `concierge serve` of a colour, as deploy.sh's settings name it: `host:port`.
package struct DeployInstance: Sendable, Hashable, CustomStringConvertible {
    package var host: String
    package var port: Int

    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// nil unless `text` is a host name or address (letters, digits, dots, hyphens), a colon and a port.
    package init?(parsing text: String) {
        guard let match = text.wholeMatch(of: /([A-Za-z0-9.-]+):([0-9]{1,5})/), let port = Int(match.output.2),
            (1...65535).contains(port)
        else { return nil }
        self.init(host: String(match.output.1), port: port)
    }

    package var description: String { "\(host):\(port)" }
}
