/// nginx's upstream file, the only file a deploy rewrites: every instance of the colour that serves.
package enum UpstreamFile {
    /// The file for `colour` on `version`; `written` is the time it says it was written.
    package static func render(
        _ colour: Colour, version: String, settings: DeploySettings, written: String
    ) -> String {
        // After max_fails failed attempts (refused, reset, timed out) within fail_timeout, nginx leaves an
        // instance out for fail_timeout and its requests go to the others (concierge-locations.conf retries).
        let servers = (settings.instances[colour] ?? []).map {
            "    server \($0) max_fails=\(settings.upstreamMaximumFails) fail_timeout=\(settings.upstreamFailTimeout);\n"
        }
        return """
            # The instances nginx sends Concierge's traffic to: the only file a deploy rewrites (deploy/deploy.sh
            # writes it whole to a temporary file, renames it into place, runs `nginx -t`, then reloads nginx).
            # colour=\(colour.rawValue) version=\(version) written=\(written)
            upstream concierge {

            """ + servers.joined() + """
                    # Idle connections each worker keeps open to the instances, so requests skip the TCP handshake.
                    keepalive \(settings.upstreamKeepalive);
                    # Shorter than the instances' --idle-timeout (75 s) and fewer than their
                    # --max-requests-per-connection (10000): nginx always closes a kept connection first, so it never
                    # sends a request on one an instance is closing at that moment.
                    keepalive_timeout \(settings.upstreamKeepaliveTimeout);
                    keepalive_requests \(settings.upstreamKeepaliveRequests);
                }

                """
    }

    /// The colour of the first instance the file names; nil when it is neither's.
    package static func activeColour(in text: String, settings: DeploySettings) -> Colour? {
        let first = text.split(separator: "\n").lazy.compactMap { line -> Substring? in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count > 1, words[0] == "server" else { return nil }
            return words[1].prefix { $0 != ";" }
        }.first
        guard let first, let instance = DeployInstance(parsing: String(first)) else { return nil }
        return Colour.allCases.first { settings.instances[$0]?.contains(instance) ?? false }
    }
}
