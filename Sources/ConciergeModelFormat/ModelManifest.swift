import Foundation

/// `manifest.json`: what a model version is, how it was chosen, and the size and SHA-256 of every
/// other file in its folder. Field names are snake_case in JSON (docs/model-format.md).
public struct ModelManifest: Sendable, Equatable, Codable {
    public static let formatName = "concierge-model"
    public static let currentFormatVersion = 1

    public struct Counts: Sendable, Equatable, Codable {
        public var users: Int
        public var items: Int
        public var hotels: Int
        /// Stored entries of the user → items history.
        public var interactions: Int

        public init(users: Int, items: Int, hotels: Int, interactions: Int) {
            self.users = users
            self.items = items
            self.hotels = hotels
            self.interactions = interactions
        }
    }

    /// What the run learnt from, as training read it from the feature store.
    public struct DataSeen: Sendable, Equatable, Codable {
        /// Guests with at least one paid order line.
        public var guests: Int
        /// Paid menu items.
        public var items: Int
        /// Paid lines of COMPLETE orders: what the guest × item matrix sums.
        public var orderLines: Int
        /// Rows the feature store's ingests quarantined; nil when the data did not come from a feature store.
        public var quarantinedRows: Int?

        public init(guests: Int, items: Int, orderLines: Int, quarantinedRows: Int?) {
            self.guests = guests
            self.items = items
            self.orderLines = orderLines
            self.quarantinedRows = quarantinedRows
        }

        enum CodingKeys: String, CodingKey {
            case guests, items
            case orderLines = "order_lines"
            case quarantinedRows = "quarantined_rows"
        }
    }

    public struct FileEntry: Sendable, Equatable, Codable {
        public var size: Int
        /// 64 lowercase hex digits.
        public var sha256: String

        public init(size: Int, sha256: String) {
            self.size = size
            self.sha256 = sha256
        }
    }

    /// Always `concierge-model`, so a stray JSON file is not mistaken for a manifest.
    public var format: String
    public var formatVersion: Int
    /// The registry writes model, version and created when it publishes; an export to be imported
    /// may leave them out, because import assigns its own.
    public var model: String?
    public var version: Int?
    /// ISO 8601, UTC, whole seconds: `2025-11-24T14:17:03Z`.
    public var created: String?
    public var kind: ModelKind
    public var hyperParameters: [String: HyperParameter]
    public var metrics: [String: Double]
    public var candidates: [ModelCandidate]
    public var dataFingerprint: String
    public var counts: Counts
    /// Columns of both factor matrices; 0 when the version ships none.
    public var factors: Int
    /// Keyed by file name, relative to the version folder.
    public var files: [String: FileEntry]
    /// Absent from versions trained before it was recorded, and from imports that leave it out.
    public var dataSeen: DataSeen?
    /// The final ALS fit's training loss after each iteration; nil for other kinds and where not recorded.
    public var lossHistory: [Double]?
    /// The version's holdout metrics per hotel id, spelt as `metrics`; nil where not recorded.
    public var hotelMetrics: [String: [String: Double]]?
    /// The name of the candidate `metrics` and `hotelMetrics` measured (a `candidates` name): `concierge train`'s
    /// choice on the training part, which differs from the served model when the choice on all data does. Nil
    /// where not recorded.
    public var holdoutModel: String?

    public init(
        model: String?, version: Int?, created: String?, kind: ModelKind,
        hyperParameters: [String: HyperParameter], metrics: [String: Double], candidates: [ModelCandidate],
        dataFingerprint: String, counts: Counts, factors: Int, files: [String: FileEntry],
        dataSeen: DataSeen? = nil, lossHistory: [Double]? = nil, hotelMetrics: [String: [String: Double]]? = nil,
        holdoutModel: String? = nil
    ) {
        self.format = Self.formatName
        self.formatVersion = Self.currentFormatVersion
        self.model = model
        self.version = version
        self.created = created
        self.kind = kind
        self.hyperParameters = hyperParameters
        self.metrics = metrics
        self.candidates = candidates
        self.dataFingerprint = dataFingerprint
        self.counts = counts
        self.factors = factors
        self.files = files
        self.dataSeen = dataSeen
        self.lossHistory = lossHistory
        self.hotelMetrics = hotelMetrics
        self.holdoutModel = holdoutModel
    }

    /// The manifest of `artifacts` written as `files`.
    package init(
        _ artifacts: ModelArtifacts, model: String?, version: Int?, created: String?,
        files: [String: FileEntry]
    ) {
        self.init(
            model: model, version: version, created: created, kind: artifacts.kind,
            hyperParameters: artifacts.hyperParameters, metrics: artifacts.metrics, candidates: artifacts.candidates,
            dataFingerprint: artifacts.dataFingerprint, counts: artifacts.counts, factors: artifacts.factorCount,
            files: files, dataSeen: artifacts.dataSeen, lossHistory: artifacts.lossHistory,
            hotelMetrics: artifacts.hotelMetrics, holdoutModel: artifacts.holdoutModel)
    }

    enum CodingKeys: String, CodingKey {
        case format
        case formatVersion = "format_version"
        case model, version, created, kind
        case hyperParameters = "hyper_parameters"
        case metrics, candidates
        case dataFingerprint = "data_fingerprint"
        case counts, factors, files
        case dataSeen = "data_seen"
        case lossHistory = "loss_history"
        case hotelMetrics = "hotel_metrics"
        case holdoutModel = "holdout_model"
    }

    /// Pretty, sorted JSON, so the same manifest always has the same bytes and hash.
    package func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Every value is a plain string or a finite number (validated), so encoding cannot fail.
        guard let data = try? encoder.encode(self) else { preconditionFailure("a manifest always encodes") }
        return Array(data) + [0x0A]
    }

    /// Decodes and checks the parts that do not need the files; `path` names the manifest in errors.
    package static func decode(_ bytes: [UInt8], path: String) throws(ModelFileError) -> ModelManifest {
        let manifest: ModelManifest
        do {
            manifest = try JSONDecoder().decode(ModelManifest.self, from: Data(bytes))
        } catch {
            throw .invalidFile(path: path, problem: "not a valid manifest (\(Self.describe(error)))")
        }
        func fail(_ problem: String) -> ModelFileError { .invalidFile(path: path, problem: problem) }
        guard manifest.format == formatName else {
            throw fail("format is '\(manifest.format)', not '\(formatName)'")
        }
        guard manifest.formatVersion == currentFormatVersion else {
            throw fail(
                "unsupported format_version \(manifest.formatVersion) (this concierge reads \(currentFormatVersion))")
        }
        let counts = manifest.counts
        let limit = Int(Int32.max)
        guard (1...limit).contains(counts.items), (1...limit).contains(counts.hotels),
            (0...limit).contains(counts.users),
            counts.interactions >= 0, (0...limit).contains(manifest.factors)
        else {
            throw fail("counts and factors must be at most 2³¹ − 1, with at least one item and one hotel")
        }
        let known = Set(ModelFile.allCases.map(\.rawValue))
        for name in manifest.files.keys.sorted() where !known.contains(name) {
            throw fail("lists unknown file '\(name)'")
        }
        for file in ModelFile.allCases where !file.isOptional && manifest.files[file.rawValue] == nil {
            throw fail("does not list \(file.rawValue)")
        }
        let factorFiles = [ModelFile.userFactors, .itemFactors].filter { manifest.files[$0.rawValue] != nil }
        guard factorFiles.count != 1 else { throw fail("lists \(factorFiles[0].rawValue) without its pair") }
        if manifest.kind.requiresFactors, factorFiles.isEmpty {
            throw fail("kind \(manifest.kind.rawValue) needs user_factors.f32 and item_factors.f32")
        }
        guard (manifest.files[ModelFile.easeWeights.rawValue] != nil) == manifest.kind.requiresEaseWeights else {
            throw fail(
                manifest.kind.requiresEaseWeights
                    ? "kind \(manifest.kind.rawValue) needs \(ModelFile.easeWeights.rawValue)"
                    : "lists \(ModelFile.easeWeights.rawValue), which only kinds ease and ease-als have")
        }
        guard (manifest.factors > 0) == !factorFiles.isEmpty else {
            throw fail(
                "factors is \(manifest.factors) but factor files are \(factorFiles.isEmpty ? "absent" : "present")")
        }
        for (name, entry) in manifest.files.sorted(by: { $0.key < $1.key }) {
            guard entry.size >= 0 else { throw fail("\(name) has a negative size") }
            guard entry.sha256.utf8.count == 64, entry.sha256.utf8.allSatisfy(Self.isLowercaseHexDigit) else {
                throw fail("\(name) has a malformed sha256 (64 lowercase hex digits expected)")
            }
        }
        return manifest
    }

    private static func isLowercaseHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    /// `DecodingError`'s own description is a multi-line dump; the coding path and reason are what help.
    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context):
            return "missing \(path(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let location = context.codingPath.isEmpty ? "" : "\(path(context.codingPath)): "
            return location + context.debugDescription
        default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
