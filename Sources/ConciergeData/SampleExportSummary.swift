/// What `SampleExportGenerator` wrote. Counts are over the valid rows unless they say otherwise, so they are what
/// an ingest of the file into an empty store should find.
public struct SampleExportSummary: Sendable {
    public struct BrokenRow: Sendable, Equatable {
        /// The line of the file on which the row starts.
        public var line: Int
        /// The reason ingest must give.
        public var reason: RejectionReason
    }

    /// Data rows, broken ones included.
    public var rows = 0
    /// Rows broken on purpose, in file order.
    public var brokenRows: [BrokenRow] = []
    public var hotels = 0
    public var menuItems = 0
    public var guestsWithOrders = 0
    /// Guests with orders on a second stay, weeks after the first.
    public var returningGuests = 0
    public var orderLines = 0
    public var ordersByStatus: [OrderStatus: Int] = [:]
    /// Orders with `order_price` 0: only free items, or every unit given free.
    public var freeOrders = 0
    /// Order lines of items whose unit price is 0.
    public var freeItemLines = 0
    /// `freeCount` summed over all lines.
    public var freeUnits = 0
    public var linesWithoutFreeCount = 0
    public var linesWithoutCompletePeriod = 0
    /// `contents` as one object rather than an array.
    public var singleObjectContents = 0
    public var multiLineContents = 0
    /// Tabs, runs of spaces and CR/LF between the JSON's tokens.
    public var strayWhitespaceContents = 0
    /// Korean written as `\uXXXX` escapes.
    public var escapedContents = 0
    public var backslashNNulls = 0
    public var emptyNulls = 0
}
