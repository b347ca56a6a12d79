import ConciergeServing
import Prometheus

/// The service's own metrics, kept in a swift-prometheus registry. (The registry's metrics carry help
/// text, which `promtool check metrics` requires and swift-metrics' API has no place for.)
final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let itemsReturned: Counter
    private let foldIn: DurationHistogram
    /// `/recommend`'s answers by hotel and strategy, `recommendations[hotel * strategies.count + strategy]`: a
    /// request finds its counter by index, without a registry lookup. Each counter is made on first use, so that
    /// `/metrics` shows only the pairs that occurred (a version may have thousands of hotels).
    private let recommendations: [OnceReference<Counter>]
    private let strategies = RecommendationStrategy.allCases
    private let hotels: [String]
    /// `MetricNameDescriptor` is a struct of constant strings that swift-prometheus does not mark Sendable.
    private nonisolated(unsafe) let recommendationsName = ServiceMetrics.name(
        "recommendations", unit: "total", help: "Answers of /recommend, by strategy and hotel.")

    private static func name(_ metric: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "concierge", metricName: metric, unitName: unit, helpText: help)
    }

    /// `hotels`: the version's hotel ids by index. `createdAt` is absent for versions imported without a creation
    /// time.
    init(
        model: String, version: Int, kind: String, color: String, hotels: [String], loadSeconds: Double,
        loadedAt: Double, createdAt: Double?
    ) {
        registry.makeGauge(
            descriptor: Self.name("model", unit: "info", help: "The model version this instance serves (always 1)."),
            labels: [("model", model), ("version", String(version)), ("kind", kind), ("color", color)]
        ).set(1.0)
        if let createdAt {
            registry.makeGauge(
                descriptor: Self.name(
                    "model_created_timestamp", unit: "seconds",
                    help: "When the served version was trained and published, in seconds since the epoch.")
            ).set(createdAt)
        }
        registry.makeGauge(
            descriptor: Self.name(
                "model_load", unit: "seconds", help: "Seconds it took to verify, map and warm up the model.")
        ).set(loadSeconds)
        registry.makeGauge(
            descriptor: Self.name(
                "model_loaded_timestamp", unit: "seconds",
                help: "When the model was loaded, in seconds since the epoch.")
        ).set(loadedAt)
        itemsReturned = registry.makeCounter(
            descriptor: Self.name("recommended_items", unit: "total", help: "Items returned by /recommend."))
        // The version's kind says what fold-in costs: solving factors (als) or summing neighbours (item-item).
        foldIn = registry.makeDurationHistogram(
            descriptor: Self.name(
                "fold_in", unit: "seconds",
                help: "Time to answer a new guest from recent items: solving the guest's factors (kind als) "
                    + "or scoring the items' neighbours (kind item-item)."),
            labels: [("kind", kind)],
            buckets: [
                .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
                .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            ])
        self.hotels = hotels
        recommendations = (0..<hotels.count * strategies.count).map { _ in OnceReference() }
    }

    /// `started`: when ranking began, for a request that could be folded in (one with recent items); only
    /// fold-in is timed.
    func recordRecommendation(
        strategy: RecommendationStrategy, hotel: Int, items: Int, started: ContinuousClock.Instant?
    ) {
        let slot = recommendations[hotel * strategies.count + strategy.position]
        slot.withObject(orStoring: { recommendationCounter(strategy: strategy, hotel: hotel) }) { $0.increment() }
        itemsReturned.increment(by: Int64(items))
        if strategy == .foldIn, let started { foldIn.record(ContinuousClock.now - started) }
    }

    private func recommendationCounter(strategy: RecommendationStrategy, hotel: Int) -> Counter {
        registry.makeCounter(
            descriptor: recommendationsName, labels: [("strategy", strategy.rawValue), ("hotel", hotels[hotel])])
    }
}
