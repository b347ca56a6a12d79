/// A trained factorisation: scores are `xᵤ · yᵢ`, ranked by `ConciergeServing.Ranker` like any version's.
public struct ALSModel: Sendable {
    public let userFactors: DenseMatrix
    public let itemFactors: DenseMatrix
    public let regularization: Float
    public let alpha: Float
    public let confidence: ImplicitALS.ConfidenceMode

    public init(
        userFactors: DenseMatrix, itemFactors: DenseMatrix, regularization: Float, alpha: Float,
        confidence: ImplicitALS.ConfidenceMode
    ) {
        precondition(userFactors.columns == itemFactors.columns, "users and items need the same number of factors")
        self.userFactors = userFactors
        self.itemFactors = itemFactors
        self.regularization = regularization
        self.alpha = alpha
        self.confidence = confidence
    }

    public var factors: Int { itemFactors.columns }
}
