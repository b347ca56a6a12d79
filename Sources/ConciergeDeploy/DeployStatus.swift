/// What `deploy.sh status` and a failed deploy's "state now" show: every instance of both colours, its role,
/// whether its process runs, its `/health` and the version it was last started on.
package struct DeployStatus: Sendable {
    package struct Row: Sendable {
        package var colour: Colour
        package var instance: DeployInstance
        package var running: Bool
        /// "STATUS VERSION COLOUR" (`InstanceHealth.summary`); nil when it does not answer.
        package var health: String?
        /// The version deploy.sh last started the colour on; empty when never.
        package var lastVersion: String

        package init(colour: Colour, instance: DeployInstance, running: Bool, health: String?, lastVersion: String) {
            self.colour = colour
            self.instance = instance
            self.running = running
            self.health = health
            self.lastVersion = lastVersion
        }
    }

    /// The colour the upstream file names; nil when it names neither or cannot be read.
    package var active: Colour?
    package var rows: [Row]
    /// "COLOUR MODEL/VERSION" from the headers of nginx's answer to `/health`; nil when it gave none.
    package var nginx: String?

    package init(active: Colour?, rows: [Row], nginx: String?) {
        self.active = active
        self.rows = rows
        self.nginx = nginx
    }

    /// Every instance of the active colour answers ready (whatever on), and nginx answers from that colour.
    package var isHealthy: Bool {
        guard let active, nginx?.hasPrefix(active.rawValue + " ") ?? false else { return false }
        return rows.allSatisfy { $0.colour != active || ($0.health?.hasPrefix("ready ") ?? false) }
    }

    /// `deploy.sh status`: the upstream's colour, a line per instance, what nginx answers from.
    package func report(_ settings: DeploySettings) -> String {
        "upstream \(settings.upstreamFile) -> \(active?.rawValue ?? "unknown") (launcher: \(settings.launcher.rawValue), "
            + "state: \(settings.stateDirectory))\n" + table(model: settings.model)
            + "\n  nginx at \(settings.publicURL) answers from: \(nginx ?? "nothing")"
    }

    private func table(model: String) -> String {
        let lines =
            [["COLOUR", "ROLE", "PROCESS", "INSTANCE", "/health", "LAST STARTED ON"]]
            + rows.map { row in
                [
                    row.colour.rawValue, row.colour == active ? "active" : "idle", row.running ? "running" : "stopped",
                    row.instance.description, row.health ?? "no answer", "\(model)/\(row.lastVersion)",
                ]
            }
        return lines.map { cells in
            "  "
                + zip(cells, [6, 7, 8, 22, 22, 0]).map { cell, width in Self.padded(cell, to: width) }
                .joined(separator: " ")
        }.joined(separator: "\n")
    }

    /// One line, for every failure message: the upstream's colour, what nginx answers from, each instance.
    package var oneLine: String {
        "upstream -> \(active?.rawValue ?? "unreadable"); nginx answers from \(nginx ?? "")"
            + rows.map { "; \($0.colour.rawValue) \($0.instance): \($0.health ?? "stopped")" }.joined()
    }

    private static func padded(_ cell: String, to width: Int) -> String {
        cell.count >= width ? cell : cell + String(repeating: " ", count: width - cell.count)
    }
}
