import ConciergeHTTP

/// Prometheus text exposition for what is not kept in the swift-prometheus registry: the HTTP server's own
/// sharded counters (cheaper on the hot path than a registry lookup per request) and the process gauges.
struct PrometheusText {
    private(set) var output = ""

    mutating func family(_ name: String, type: String, help: String) {
        output += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ value: Double) {
        sample(name, [:], value)
    }

    mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: Double) {
        output += name
        if !labels.isEmpty {
            output += "{" + labels.map { "\($0.key)=\"\(Self.escape($0.value))\"" }.joined(separator: ",") + "}"
        }
        output += " " + Self.format(value) + "\n"
    }

    static func escape(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static func format(_ value: Double) -> String {
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    mutating func append(_ access: HTTPAccessControl.Counts) {
        family(
            "concierge_http_authentication_failures_total", type: "counter",
            help: "Requests refused for their credentials (401, or 403 for a missing scope), by reason.")
        for reason in AuthenticationFailure.allCases {
            sample(
                "concierge_http_authentication_failures_total", ["reason": reason.rawValue],
                Double(access.authenticationFailures[reason] ?? 0))
        }
        family(
            "concierge_http_rate_limited_total", type: "counter",
            help: "Requests refused with 429 for passing the rate limit.")
        sample("concierge_http_rate_limited_total", Double(access.rateLimited))
    }

    mutating func append(_ snapshot: HTTPServerStatistics.Snapshot) {
        family(
            "concierge_http_requests_total", type: "counter",
            help: "HTTP requests answered, by route, method and status class.")
        for series in snapshot.requests {
            sample(
                "concierge_http_requests_total",
                ["route": series.route, "method": series.method, "status": series.statusClass], Double(series.count))
        }
        family(
            "concierge_http_request_duration_seconds", type: "histogram",
            help: "Time from a request's complete head to its response being queued, by route, method and status class."
        )
        for series in snapshot.latency {
            for (bound, count) in zip(HTTPServerStatistics.latencyBuckets + [.infinity], series.cumulativeCounts) {
                sample(
                    "concierge_http_request_duration_seconds_bucket",
                    [
                        "route": series.route, "method": series.method, "status": series.statusClass,
                        "le": Self.format(bound),
                    ],
                    Double(count))
            }
            let labels: KeyValuePairs = ["route": series.route, "method": series.method, "status": series.statusClass]
            sample("concierge_http_request_duration_seconds_sum", labels, series.sumSeconds)
            sample("concierge_http_request_duration_seconds_count", labels, Double(series.count))
        }
        family(
            "concierge_http_requests_in_flight", type: "gauge",
            help: "Requests whose head has arrived and whose response has not been queued.")
        sample("concierge_http_requests_in_flight", Double(snapshot.inFlightRequests))
        family("concierge_http_open_connections", type: "gauge", help: "Open client connections.")
        sample("concierge_http_open_connections", Double(snapshot.openConnections))
        family(
            "concierge_http_connections_total", type: "counter",
            help: "Connections accepted, and rejected past the connection cap.")
        sample("concierge_http_connections_total", ["outcome": "accepted"], Double(snapshot.acceptedConnections))
        sample("concierge_http_connections_total", ["outcome": "rejected"], Double(snapshot.rejectedConnections))
        family("concierge_http_received_bytes_total", type: "counter", help: "Bytes read from clients.")
        sample("concierge_http_received_bytes_total", Double(snapshot.bytesReceived))
        family("concierge_http_sent_bytes_total", type: "counter", help: "Bytes written to clients.")
        sample("concierge_http_sent_bytes_total", Double(snapshot.bytesSent))
        family(
            "concierge_http_tls_handshake_failures_total", type: "counter",
            help:
                "TLS handshakes that failed: not TLS, nothing in common, or a client certificate missing or untrusted.")
        sample("concierge_http_tls_handshake_failures_total", Double(snapshot.tlsHandshakeFailures))
    }

    /// One series per phase, 1 for the current one, so an alert can count the instances that are ready
    /// (`/health` 200) without probing them.
    mutating func append(_ phase: ServiceState.Phase) {
        family(
            "concierge_health_status", type: "gauge",
            help: "1 for the phase /health reports (loading, ready or draining), 0 for the others.")
        for candidate in [ServiceState.Phase.loading, .ready, .draining] {
            sample("concierge_health_status", ["status": candidate.rawValue], candidate == phase ? 1 : 0)
        }
    }

    mutating func append(_ process: ProcessMetrics) {
        let families: [(name: String, type: String, help: String, value: Double)] = [
            (
                "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
                process.cpuSeconds
            ),
            ("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", process.residentMemoryBytes),
            ("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", process.virtualMemoryBytes),
            ("process_open_fds", "gauge", "Number of open file descriptors.", process.openFileDescriptors),
            ("process_max_fds", "gauge", "Maximum number of open file descriptors.", process.maxFileDescriptors),
            (
                "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
                process.startTimeSeconds
            ),
        ]
        for (name, type, help, value) in families {
            family(name, type: type, help: help)
            sample(name, value)
        }
    }
}
