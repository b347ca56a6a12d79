package import ConciergeModelFormat
package import Foundation

/// A published version as the registry database records it.
package struct ModelVersion: Sendable, Equatable {
    package var model: String
    package var version: Int
    package var created: Date
    package var kind: ModelKind
    package var hyperParameters: [String: HyperParameter]
    package var metrics: [String: Double]
    package var dataFingerprint: String
    package var manifestSHA256: String
    /// Sorted; empty when nothing points at this version.
    package var aliases: [String]
}

/// `concierge registry list --json`: snake_case like the manifest, `created` in ISO 8601.
extension ModelVersion: Encodable {
    enum CodingKeys: String, CodingKey {
        case model, version, created, kind
        case hyperParameters = "hyper_parameters"
        case metrics
        case dataFingerprint = "data_fingerprint"
        case manifestSHA256 = "manifest_sha256"
        case aliases
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(model, forKey: .model)
        try container.encode(version, forKey: .version)
        try container.encode(created.formatted(.iso8601), forKey: .created)
        try container.encode(kind, forKey: .kind)
        try container.encode(hyperParameters, forKey: .hyperParameters)
        try container.encode(metrics, forKey: .metrics)
        try container.encode(dataFingerprint, forKey: .dataFingerprint)
        try container.encode(manifestSHA256, forKey: .manifestSHA256)
        try container.encode(aliases, forKey: .aliases)
    }
}
