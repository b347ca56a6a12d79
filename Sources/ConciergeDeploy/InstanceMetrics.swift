/// What a deploy watches in a Concierge instance's `/metrics`: the API's requests, their 5xx answers and
/// their latency histogram, summed over routes, methods and status classes, and the process's start time.
/// The operational routes (`/health`, `/live`, `/metrics`), which deploys and scrapers call, are left out.
package struct InstanceMetrics: Sendable, Equatable {
    package static let operationalRoutes: Set<String> = ["/health", "/live", "/metrics"]

    package var startTime: Double
    package var requests: Double
    package var serverErrors: Double
    package var latency: ClassicHistogram
}

extension InstanceMetrics {
    /// From the text of `/metrics` (series in Sources/ConciergeAPI/PrometheusText.swift).
    package init(exposition: String) throws(DeployCheckError) {
        let samples: [PrometheusSample]
        do {
            samples = try PrometheusSample.parse(exposition: exposition)
        } catch {
            throw DeployCheckError(error.description)
        }
        var startTime: Double?
        var requests = 0.0
        var serverErrors = 0.0
        var buckets: [ClassicHistogram.Bucket] = []
        for sample in samples {
            let api = !Self.operationalRoutes.contains(sample.labels["route"] ?? "")
            switch sample.name {
            case "process_start_time_seconds":
                startTime = sample.value
            case "concierge_http_requests_total" where api:
                requests += sample.value
                if sample.labels["status"] == "5xx" { serverErrors += sample.value }
            case "concierge_http_request_duration_seconds_bucket" where api:
                guard let bound = sample.labels["le"].flatMap(Double.init) else {
                    throw DeployCheckError("a latency bucket has no numeric le label: \(sample.labels)")
                }
                buckets.append(.init(upperBound: bound, count: sample.value))
            default:
                continue
            }
        }
        guard let startTime else { throw DeployCheckError("the metrics have no process_start_time_seconds") }
        self.init(
            startTime: startTime, requests: requests, serverErrors: serverErrors, latency: ClassicHistogram(buckets))
    }
}
