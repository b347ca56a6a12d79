package import ConciergeModelFormat

/// Whether a newly published version may replace production: only if its measure (MAP by default) is not
/// worse than production's, at the same cutoff, by more than a tolerance, so a noisy week does not block
/// retraining but a bad model never ships.
package struct PromotionPolicy: Sendable {
    package var measure: ModelMetric.Measure
    package var tolerance: Double
    package var alias: String

    package init(
        measure: ModelMetric.Measure = .meanAveragePrecision, tolerance: Double = 0.005, alias: String = "production"
    ) {
        self.measure = measure
        self.tolerance = tolerance
        self.alias = alias
    }

    package enum Decision: Sendable, Equatable {
        case promoteFirst(metric: ModelMetric, candidate: Double)
        case promote(metric: ModelMetric, candidate: Double, production: Double)
        case keep(metric: ModelMetric, candidate: Double, production: Double)
        /// Production has no figure at the candidate's cutoff: nothing to compare, so production stays.
        case keepIncomparable(metric: ModelMetric, candidate: Double)

        package var promotes: Bool {
            switch self {
            case .promoteFirst, .promote: true
            case .keep, .keepIncomparable: false
            }
        }
    }

    /// `production` is nil when no version holds the alias yet. Nil when the candidate has no figure for the
    /// measure at all, which only a version published without evaluation can lack.
    package func decide(candidate: [String: Double], production: [String: Double]?) -> Decision? {
        guard let (metric, candidateValue) = ModelMetric.own(measure, in: candidate) else { return nil }
        guard let production else { return .promoteFirst(metric: metric, candidate: candidateValue) }
        guard let productionValue = production[metric.key] else {
            return .keepIncomparable(metric: metric, candidate: candidateValue)
        }
        return candidateValue >= productionValue - tolerance
            ? .promote(metric: metric, candidate: candidateValue, production: productionValue)
            : .keep(metric: metric, candidate: candidateValue, production: productionValue)
    }
}
