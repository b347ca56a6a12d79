public import ConciergeModel
public import ConciergeModelFormat

/// One point of the ALS grid in Spark MLlib's own terms (`ALS(implicitPrefs=True, …)`).
///
/// Spark's implicit ALS weighs an entry with confidence `1 + alpha · units`, the native engine's linear
/// confidence, so `alpha` carries over unchanged. Its regularization does not: Spark solves each guest with
/// `regParam · nᵤ` (ALS-WR), nᵤ being the guest's number of items, and each item with `regParam` times its
/// number of guests, where the native engine uses one λ for all. A native λ becomes `regParam = λ / n̄`, n̄ the
/// mean items per guest of the data the grid is fitted on, so the average guest is regularized as natively;
/// items, which have many more entries than guests, are regularized more.
public struct SparkALSParameters: Sendable, Hashable {
    public var rank: Int
    public var regParam: Double
    public var alpha: Double
    public var maxIter: Int
    public var seed: Int64

    /// Spark's parameter names, as the manifest records them.
    public var hyperParameters: [String: HyperParameter] {
        [
            "engine": "spark", "spark.rank": .number(Double(rank)), "spark.regParam": .number(regParam),
            "spark.alpha": .number(alpha), "spark.maxIter": .number(Double(maxIter)),
            "spark.seed": .number(Double(seed)), "spark.implicitPrefs": true,
        ]
    }
}

extension SparkALSParameters {
    /// The Spark equivalent of a native grid point; `meanItemsPerGuest` is n̄ above.
    public init(_ configuration: ImplicitALS.Configuration, meanItemsPerGuest: Double) {
        self.init(
            rank: configuration.factors,
            regParam: Double(configuration.regularization) / max(meanItemsPerGuest, 1),
            alpha: Double(configuration.alpha), maxIter: configuration.iterations,
            seed: Int64(bitPattern: configuration.seed))
    }
}
