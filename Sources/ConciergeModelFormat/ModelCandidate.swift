/// One model training evaluated before choosing the published one, kept so the choice can be audited.
public struct ModelCandidate: Sendable, Equatable, Codable {
    public var kind: ModelKind
    public var hyperParameters: [String: HyperParameter]
    public var metrics: [String: Double]

    public init(kind: ModelKind, hyperParameters: [String: HyperParameter], metrics: [String: Double]) {
        self.kind = kind
        self.hyperParameters = hyperParameters
        self.metrics = metrics
    }

    enum CodingKeys: String, CodingKey {
        case kind
        case hyperParameters = "hyper_parameters"
        case metrics
    }
}
