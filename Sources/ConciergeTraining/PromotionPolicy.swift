/// Whether a newly trained version may replace production: only if its MAP@K is not worse than
/// production's by more than a tolerance, so a noisy week does not block retraining but a bad model never ships.
public struct PromotionPolicy: Sendable {
    public var metric: String
    public var tolerance: Double

    public init(metric: String = "map@10", tolerance: Double = 0.005) {
        self.metric = metric
        self.tolerance = tolerance
    }

    public enum Decision: Sendable, Equatable {
        case promoteFirst(candidate: Double)
        case promote(candidate: Double, production: Double)
        case keep(candidate: Double, production: Double)

        public var promotes: Bool {
            if case .keep = self { false } else { true }
        }
    }

    /// `production` is nil when no version holds the alias yet.
    public func decide(candidate: [String: Double], production: [String: Double]?) -> Decision {
        let candidateValue = candidate[metric] ?? 0
        guard let production else { return .promoteFirst(candidate: candidateValue) }
        let productionValue = production[metric] ?? 0
        return candidateValue >= productionValue - tolerance
            ? .promote(candidate: candidateValue, production: productionValue)
            : .keep(candidate: candidateValue, production: productionValue)
    }
}
