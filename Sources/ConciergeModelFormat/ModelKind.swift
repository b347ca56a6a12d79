/// The scorer a model version serves with; training picks it from the candidates it evaluated.
public enum ModelKind: String, Codable, Sendable, CaseIterable {
    /// Implicit-feedback matrix factorisation: scores are dot products of user and item factors.
    case als
    /// Item-to-item similarity: scores come from the neighbours of the items a guest ordered.
    case itemItem = "item-item"
    /// Per-hotel popularity, the fallback when none of the others beats it offline.
    case popular
    /// EASE: a closed-form item-item weight matrix B per hotel; scores are a guest's history row times B.
    case ease
    /// EASE and ALS blended: each one's scores over the guest's hotel divided by their standard deviation there,
    /// EASE's plus `weight` (a hyper-parameter) times ALS's. Carries both EASE's weights and the factors.
    case easeALS = "ease-als"

    /// EASE and the blend score from `ease_weights.f32`, and only their versions carry it.
    public var requiresEaseWeights: Bool { self == .ease || self == .easeALS }

    /// ALS and the blend score from factors; the other kinds may still ship them, for `/similar` for instance.
    public var requiresFactors: Bool { self == .als || self == .easeALS }
}
