import ConciergeSQLite
import Foundation

/// The SQLite file that `concierge ingest` fills from order exports and training reads from.
///
/// Tables: `orders` (one row per valid order, no names), `order_items` (the contents exploded, one row per
/// ordered item), `items` (each item as last seen: hotel, name, department, price), `guests` (features derived
/// from a guest's orders), `ingested_files` (one row per ingest of a file). Datetimes are unix seconds.
/// The schema version is `PRAGMA user_version`; the journal is a WAL, so training can read during an ingest.
public final class FeatureStore {
    public static let schemaVersion = 1

    public let path: String
    let database: SQLiteDatabase

    public enum Access: Sendable {
        /// For training and inspection: the store must exist.
        case readOnly
        /// For ingest: the store is created, empty, when the file does not exist.
        case readWrite
    }

    public init(path: String, access: Access = .readWrite) throws {
        self.path = path
        do {
            database = try SQLiteDatabase(path: path, mode: access == .readOnly ? .readOnly : .readWriteCreate)
            let version = try database.userVersion
            if try version == 0 && access == .readWrite && isEmpty() {
                try create()
            } else if version == 0 {
                throw FeatureStoreError.notAFeatureStore(path: path)
            } else if version != Self.schemaVersion {
                throw FeatureStoreError.schemaVersion(path: path, found: version, expected: Self.schemaVersion)
            }
            if access == .readWrite {
                // In WAL mode, NORMAL loses at most the last commits on power loss, never consistency. The larger
                // page cache keeps the indexes of a big ingest in memory (SQLite's default is 2 MiB).
                try database.execute("PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536")
            }
        } catch let error as SQLiteError where error.code == 26 {  // SQLITE_NOTADB
            throw FeatureStoreError.notADatabase(path: path)
        }
    }

    /// `features.sqlite` → `features.quarantine.jsonl`, beside it.
    public static func defaultQuarantinePath(forStoreAt storePath: String) -> String {
        URL(fileURLWithPath: storePath).deletingPathExtension().appendingPathExtension("quarantine.jsonl").path
    }

    /// Opens every file and checks its header: the check `ingest` starts with, for callers that want it before
    /// they open or create a store.
    public static func checkExports(at paths: [String]) throws {
        for path in paths { try OrderExportFile.checkHeader(at: path) }
    }

    /// Ingests export files one after the other, each in one transaction, quarantining the rows it rejects.
    ///
    /// Every file is opened and its header checked before anything is written, so a missing file or a wrong
    /// header stores nothing. A file that fails later (a read error) leaves the store and the quarantine file as
    /// they were before that file; files before it stay ingested. `progress` hears after every chunk (a MiB) read.
    public func ingest(
        exportsAt paths: [String], quarantineAt quarantinePath: String,
        progress: (IngestProgress) -> Void = { _ in }, afterEachFile report: (IngestReport) -> Void = { _ in }
    ) throws -> [IngestReport] {
        try Self.checkExports(at: paths)
        let quarantine = try QuarantineWriter(path: quarantinePath)
        let ingester = try OrderIngester(database: database)
        return try paths.map { path in
            let fileReport = try ingester.ingest(exportAt: path, quarantine: quarantine, progress: progress)
            report(fileReport)
            return fileReport
        }
    }

    private func isEmpty() throws -> Bool {
        let count = try database.prepare("SELECT count(*) FROM sqlite_schema")
        return try count.step() && count.int(0) == 0
    }

    private func create() throws {
        // WAL cannot be switched on inside a transaction; on an empty file it only writes the header.
        try database.enableWriteAheadLog()
        try database.transaction {
            // Another process may have created the schema since the check outside the transaction.
            guard try database.userVersion == 0 else { return }
            try database.execute(Self.schema)
        }
    }

    private static let schema = """
        CREATE TABLE ingested_files (
            file_id INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            fingerprint TEXT NOT NULL,      -- FNV-1a 64 of the file's bytes, hex
            bytes INTEGER NOT NULL,
            rows_read INTEGER NOT NULL,
            accepted INTEGER NOT NULL,
            quarantined INTEGER NOT NULL,
            already_present INTEGER NOT NULL,
            ingested_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE orders (
            order_seq INTEGER PRIMARY KEY,
            hotel_seq INTEGER NOT NULL,
            room_seq INTEGER NOT NULL,
            customer_seq INTEGER NOT NULL,
            order_price INTEGER NOT NULL,
            status TEXT NOT NULL,
            reg_date INTEGER NOT NULL,
            check_date INTEGER,
            refuse_date INTEGER,
            complete_date INTEGER,
            room_building_seq INTEGER,
            room_floor_seq INTEGER,
            visitor_cnt INTEGER,
            visit_adult_cnt INTEGER,
            visit_child_cnt INTEGER,
            visit_baby_cnt INTEGER,
            check_in INTEGER,
            check_out INTEGER,
            check_out_expected INTEGER,
            stay_period INTEGER,            -- nights, Korean calendar days
            avg_spending_per_visitor REAL,
            content_fingerprint INTEGER NOT NULL,
            file_id INTEGER NOT NULL REFERENCES ingested_files (file_id)
        ) STRICT;
        CREATE INDEX orders_by_customer ON orders (customer_seq);
        CREATE INDEX orders_by_file ON orders (file_id);

        CREATE TABLE order_items (
            order_seq INTEGER NOT NULL REFERENCES orders (order_seq),
            position INTEGER NOT NULL,      -- 0-based, in the order of `contents`
            item_seq INTEGER NOT NULL,
            department_seq INTEGER NOT NULL,
            order_type TEXT,
            count INTEGER NOT NULL,
            free_count INTEGER NOT NULL,
            price INTEGER NOT NULL,         -- unit price
            result_price INTEGER,
            coupon_seq INTEGER,
            waiting_period INTEGER,         -- minutes
            delay_period INTEGER,
            complete_period INTEGER,        -- as exported; NULL when left out
            complete_period_filled INTEGER, -- complete_period, or the median of all exported ones
            PRIMARY KEY (order_seq, position)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX order_items_complete_period ON order_items (complete_period) WHERE complete_period IS NOT NULL;

        CREATE TABLE items (
            item_seq INTEGER PRIMARY KEY,
            hotel_seq INTEGER NOT NULL,
            item_name TEXT NOT NULL,
            department_seq INTEGER NOT NULL,
            price INTEGER NOT NULL,
            seen_at INTEGER NOT NULL        -- reg_date of the order the name, department and price come from
        ) STRICT;

        CREATE TABLE guests (
            customer_seq INTEGER PRIMARY KEY,
            latest_hotel_seq INTEGER NOT NULL,
            orders INTEGER NOT NULL,
            complete_orders INTEGER NOT NULL,
            total_spend INTEGER NOT NULL,   -- order_price summed over COMPLETE orders
            avg_spending_per_visitor REAL,  -- mean over COMPLETE orders that have one
            visitor_cnt INTEGER,            -- party and stay: from the latest order
            visit_adult_cnt INTEGER,
            visit_child_cnt INTEGER,
            visit_baby_cnt INTEGER,
            stay_period INTEGER,
            first_order_date INTEGER NOT NULL,
            last_order_date INTEGER NOT NULL
        ) STRICT;

        PRAGMA user_version = \(schemaVersion);
        """
}
