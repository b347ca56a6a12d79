/// A ranking metric a version records, with the cutoff it was measured at and, for a baseline's figure,
/// the baseline it belongs to. Its `key` is how manifests and the registry spell it: `map@10`,
/// `popular.ndcg@10`.
public struct ModelMetric: Hashable, Sendable {
    public enum Measure: String, CaseIterable, Sendable {
        case precision
        case meanAveragePrecision = "map"
        case ndcg
    }

    public var measure: Measure
    public var cutoff: Int
    /// The baseline candidate measured beside the version (`popular`, `item-item`); nil for the version itself.
    public var baseline: String?

    public init(_ measure: Measure, at cutoff: Int, baseline: String? = nil) {
        self.measure = measure
        self.cutoff = cutoff
        self.baseline = baseline
    }

    public var key: String { (baseline.map { $0 + "." } ?? "") + measure.rawValue + "@" + String(cutoff) }

    /// What people read: `MAP@10`.
    public var label: String {
        (baseline.map { $0 + " " } ?? "") + measure.rawValue.uppercased() + "@" + String(cutoff)
    }

    /// The version's own figure for `measure` among `metrics`, at whatever cutoff it was measured; nil when it
    /// has none.
    public static func own(_ measure: Measure, in metrics: [String: Double]) -> (metric: ModelMetric, value: Double)? {
        metrics.compactMap { key, value in
            parse(key).flatMap { $0.measure == measure && $0.baseline == nil ? ($0, value) : nil }
        }.min { $0.metric.cutoff < $1.metric.cutoff }
    }

    private static func parse(_ key: String) -> ModelMetric? {
        let (baseline, name) =
            key.lastIndex(of: ".").map { (String(key[..<$0]), key[key.index(after: $0)...]) } ?? (nil, key[...])
        guard let at = name.firstIndex(of: "@"), let measure = Measure(rawValue: String(name[..<at])),
            let cutoff = Int(name[name.index(after: at)...]), cutoff > 0
        else { return nil }
        return ModelMetric(measure, at: cutoff, baseline: baseline)
    }
}
