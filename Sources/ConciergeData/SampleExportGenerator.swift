import ConciergeSystem
import Foundation

/// Writes a made-up order export in exactly the operator's format, quirks and a few broken rows included.
///
/// Behind the rows are guests with tastes the file never states: children bring kids' meals and amenities,
/// babies baby things, couples wine and desserts, business travellers coffee and laundry, groups beer and
/// chicken, long stays housekeeping and laundry; every guest also has a taste of their own and a few
/// favourite items they order again. A recommender that learns from co-occurrence should beat popularity.
/// The same configuration and seed give the same bytes.
public struct SampleExportGenerator: Sendable {
    public struct Configuration: Sendable {
        public var hotels: Int
        public var guests: Int
        /// Data rows; nil for four per guest.
        public var orders: Int?
        public var weeks: Int
        public var seed: UInt64

        public init(hotels: Int = 5, guests: Int = 2_000, orders: Int? = nil, weeks: Int = 8, seed: UInt64 = 1) {
            self.hotels = hotels
            self.guests = guests
            self.orders = orders
            self.weeks = weeks
            self.seed = seed
        }
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.hotels >= 1 && configuration.guests >= 1 && configuration.weeks >= 1)
        precondition((configuration.orders ?? 0) >= 0)
        self.configuration = configuration
    }

    /// Writes the export to `path` through a temporary file beside it, so a failed run leaves no half a file.
    public func write(to path: String) throws -> SampleExportSummary {
        var random = SampleRandom(seed: configuration.seed)
        let world = SampleWorld(configuration: configuration, random: &random)
        let temporaryPath = path + ".partial"
        let output = try OutputFile(path: temporaryPath, mode: .truncate, permissions: 0o644)
        do {
            let summary = try SampleExportWriter(world: world).write(to: output, random: &random)
            try output.flush()
            _ = try FileAccessError.systemCall(on: temporaryPath, "rename") { rename(temporaryPath, path) }
            return summary
        } catch {
            unlink(temporaryPath)
            throw error
        }
    }
}
