/// One model training evaluated before choosing the published one, kept so the choice can be audited.
public struct ModelCandidate: Sendable, Equatable, Codable {
    /// A label that tells the candidate apart from the others of its kind, e.g. `ease(λ 100.0, binary X)`.
    public var name: String?
    public var kind: ModelKind
    public var hyperParameters: [String: HyperParameter]
    public var metrics: [String: Double]

    public init(
        kind: ModelKind, hyperParameters: [String: HyperParameter], metrics: [String: Double], name: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.hyperParameters = hyperParameters
        self.metrics = metrics
    }

    enum CodingKeys: String, CodingKey {
        case name, kind
        case hyperParameters = "hyper_parameters"
        case metrics
    }
}
