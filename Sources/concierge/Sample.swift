import ArgumentParser
import ConciergeData
import Foundation

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a made-up order export in the operator's format, to try ingest and training on.",
        discussion: """
            The file has the export's header and columns, its datetime format, Korean item names, quoted JSON \
            contents (some multi-line, some with stray whitespace, some single objects), \\N and empty nulls, every \
            status, free items and free orders, and about 1.5% of rows broken on purpose in ways ingest must \
            quarantine. Guests have hidden tastes that follow their party and stay length.
            """)

    @Option(help: "The CSV file to write (replaced if it exists).")
    var out: String

    @Option(help: "Hotels, numbered from 1, each with its own menu of tens to 150 items.")
    var hotels = 5

    @Option(help: "Guests. Each stays once at a hotel; some come back weeks later.")
    var guests = 2_000

    @Option(help: "Data rows in the file, broken ones included (default: four per guest).")
    var orders: Int?

    @Option(help: "Weeks the export covers, from Monday 2024-03-04.")
    var weeks = 8

    @Option(help: "Seed of the generator: the same flags and seed write the same bytes.")
    var seed: UInt64 = 1

    func validate() throws {
        guard hotels >= 1 else { throw ValidationError("--hotels must be at least 1") }
        guard guests >= 1 else { throw ValidationError("--guests must be at least 1") }
        guard (orders ?? 0) >= 0 else { throw ValidationError("--orders cannot be negative") }
        guard weeks >= 1 else { throw ValidationError("--weeks must be at least 1") }
    }

    func run() throws {
        let start = ContinuousClock.now
        let generator = SampleExportGenerator(
            configuration: .init(hotels: hotels, guests: guests, orders: orders, weeks: weeks, seed: seed))
        let summary = try generator.write(to: out)
        let elapsed = (ContinuousClock.now - start).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
        print(
            "wrote \(out): \(summary.rows) rows, \(summary.brokenRows.count) of them broken on purpose, in "
                + String(format: "%.2f s", seconds))
        print(
            "  \(summary.hotels) hotels with \(summary.menuItems) menu items; \(summary.guestsWithOrders) guests with orders, "
                + "\(summary.returningGuests) back for a second stay; \(weeks) weeks; seed \(seed)")
        let statuses = OrderStatus.allCases.map { "\($0.rawValue) \(summary.ordersByStatus[$0, default: 0])" }
        print("  valid orders by status: \(statuses.joined(separator: ", ")); \(summary.orderLines) order lines")
        print(
            "  free: \(summary.freeOrders) orders, \(summary.freeItemLines) lines of free items, \(summary.freeUnits) units "
                + "given free; left out: freeCount on \(summary.linesWithoutFreeCount) lines, completePeriod on "
                + "\(summary.linesWithoutCompletePeriod)")
        print(
            "  contents: \(summary.singleObjectContents) single objects, \(summary.multiLineContents) multi-line, "
                + "\(summary.strayWhitespaceContents) with stray whitespace, \(summary.escapedContents) \\u-escaped; "
                + "nulls: \(summary.backslashNNulls) \\N, \(summary.emptyNulls) empty")
    }
}
