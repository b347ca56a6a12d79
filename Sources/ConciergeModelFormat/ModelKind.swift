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

    /// Only EASE scores from `ease_weights.f32`, and only EASE versions carry it.
    public var requiresEaseWeights: Bool { self == .ease }

    /// Only ALS scores from factors; the other kinds may still ship them, for `/similar` for instance.
    public var requiresFactors: Bool { self == .als }
}
