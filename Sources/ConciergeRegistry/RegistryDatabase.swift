import ConciergeModelFormat
import ConciergeSQLite
import Foundation

/// `registry.sqlite`: the index of published versions. A version is visible only once its row is
/// committed, and its row is committed only after its folder is complete, so readers that go
/// through the database never see half a version.
final class RegistryDatabase {
    static let fileName = "registry.sqlite"
    static let schemaVersion = 1

    private let sqlite: SQLiteDatabase

    enum Access {
        /// Resolve, list, show, open for serving: works on a read-only folder too.
        case read
        case write
        /// `write`, creating a missing registry, but only in a missing or empty folder, so a typo in
        /// `--registry` cannot scatter models over unrelated files.
        case create
    }

    init(directory: String, access: Access) throws(RegistryError) {
        let path = directory + "/" + Self.fileName
        if !FileSystem.exists(path) {
            guard access == .create else { throw .registryNotFound(directory: directory) }
            if FileSystem.exists(directory) {
                // registry.sqlite may have appeared since the check above: another publisher creating it.
                let entries = FileSystem.entries(of: directory).filter { !$0.hasPrefix(".") }
                guard FileSystem.isDirectory(directory), entries.isEmpty || entries.contains(Self.fileName) else {
                    throw .notARegistry(directory: directory)
                }
            } else {
                try FileSystem.ensureDirectory(directory)
            }
        }
        if access == .read {
            sqlite = try Self.openForReading(path)
            try checkSchema(path: path)
            return
        }
        do {
            sqlite = try SQLiteDatabase(path: path, mode: access == .create ? .readWriteCreate : .readWrite)
            try sqlite.execute("PRAGMA synchronous = FULL")
        } catch {
            throw .database(error)
        }
        try migrate(path: path)
    }

    /// A reader of a WAL database needs its `-shm` file, which it cannot create in a read-only folder (a
    /// container's read-only volume). Nothing can publish into such a folder either, so reading it as
    /// immutable, without locks or WAL, sees exactly what is there.
    private static func openForReading(_ path: String) throws(RegistryError) -> SQLiteDatabase {
        do {
            let database = try SQLiteDatabase(path: path, mode: .readOnly)
            _ = try database.userVersion
            return database
        } catch  where error.isCannotOpen {
            do { return try SQLiteDatabase(path: path, mode: .immutable) } catch { throw .database(error) }
        } catch {
            throw .database(error)
        }
    }

    private func checkSchema(path: String) throws(RegistryError) {
        let found: Int
        do { found = try sqlite.userVersion } catch { throw .database(error) }
        guard found <= Self.schemaVersion else {
            throw .unsupportedSchema(path: path, found: found, supported: Self.schemaVersion)
        }
        guard found == Self.schemaVersion else {
            throw .outdatedSchema(path: path, found: found, supported: Self.schemaVersion)
        }
    }

    private func migrate(path: String) throws(RegistryError) {
        let found: Int
        do { found = try sqlite.userVersion } catch { throw .database(error) }
        guard found != Self.schemaVersion else { return try admitEveryKind() }
        guard found < Self.schemaVersion else {
            throw .unsupportedSchema(path: path, found: found, supported: Self.schemaVersion)
        }
        do {
            // WAL lets readers (list, open) proceed while a publisher holds the write lock.
            try sqlite.enableWriteAheadLog()
        } catch {
            throw .database(error)
        }
        try transaction { () throws(RegistryError) in
            // Another process may have created the schema while this one waited for the lock.
            let current: Int
            do throws(SQLiteError) { current = try sqlite.userVersion } catch { throw .database(error) }
            guard current == 0 else { return }
            try execute(Self.schema)
        }
    }

    /// Registries created before kinds `ease` and `ease-als` existed refuse them in `versions.kind`'s CHECK. A CHECK
    /// constraint is not part of how rows are stored, so SQLite's documented way to change one (lang_altertable.html, "other kinds of
    /// table schema changes") rewrites its text in place; the schema version stays 1 and every reader still reads.
    private func admitEveryKind() throws(RegistryError) {
        let allowed = ModelKind.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let check = "CHECK (kind IN (\(allowed)))"
        let tableSQL = try rows("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'versions'") {
            $0.text(0)
        }
        guard let sql = tableSQL.first, !sql.contains(check),
            let old = sql.range(of: #"CHECK \(kind IN \([^)]*\)\)"#, options: .regularExpression)
        else { return }
        try transaction { () throws(RegistryError) in
            let schemaVersion = try rows("PRAGMA schema_version") { $0.int(0) }[0]
            try execute("PRAGMA writable_schema = ON")
            try run(
                "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'versions'",
                .text(sql.replacingCharacters(in: old, with: check)))
            try execute("PRAGMA schema_version = \(schemaVersion + 1)")
            try execute("PRAGMA writable_schema = OFF")
        }
    }

    private static let schema = """
        CREATE TABLE models (
            name TEXT PRIMARY KEY,
            created TEXT NOT NULL,
            -- Highest version ever assigned, so numbers are never reused after gc.
            last_version INTEGER NOT NULL
        );
        CREATE TABLE versions (
            model TEXT NOT NULL REFERENCES models (name),
            version INTEGER NOT NULL,
            created TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('als', 'item-item', 'popular', 'ease', 'ease-als')),
            hyper_parameters TEXT NOT NULL,
            metrics TEXT NOT NULL,
            data_fingerprint TEXT NOT NULL,
            manifest_sha256 TEXT NOT NULL,
            PRIMARY KEY (model, version)
        );
        CREATE TABLE files (
            model TEXT NOT NULL,
            version INTEGER NOT NULL,
            name TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            PRIMARY KEY (model, version, name),
            FOREIGN KEY (model, version) REFERENCES versions (model, version) ON DELETE CASCADE
        );
        CREATE TABLE aliases (
            model TEXT NOT NULL,
            alias TEXT NOT NULL,
            version INTEGER NOT NULL,
            updated TEXT NOT NULL,
            PRIMARY KEY (model, alias),
            -- No cascade: deleting an aliased version fails, whatever gc's own checks say.
            FOREIGN KEY (model, version) REFERENCES versions (model, version)
        );
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('publish', 'promote', 'gc')),
            model TEXT,
            version INTEGER,
            details TEXT NOT NULL
        );
        CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
        CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
        PRAGMA user_version = \(schemaVersion);
        """

    /// Runs `body` between `BEGIN IMMEDIATE` and `COMMIT`: the write lock is taken up front, so two
    /// publishers serialise here and each sees the other's version number. Rolled back if it throws.
    func transaction<T>(_ body: () throws(RegistryError) -> T) throws(RegistryError) -> T {
        try sqlite.transaction(wrappingErrors: RegistryError.database, body)
    }

    func execute(_ sql: String) throws(RegistryError) {
        do { try sqlite.execute(sql) } catch { throw .database(error) }
    }

    func run(_ sql: String, _ values: SQLiteStatement.Value...) throws(RegistryError) {
        do { try sqlite.prepare(sql).bind(values).run() } catch { throw .database(error) }
    }

    /// Every row of a query, each turned into a value by `row`.
    func rows<T>(
        _ sql: String, _ values: SQLiteStatement.Value..., row: (SQLiteStatement) -> T
    ) throws(RegistryError) -> [T] {
        do {
            let statement = try sqlite.prepare(sql).bind(values)
            var results: [T] = []
            while try statement.step() { results.append(row(statement)) }
            return results
        } catch {
            throw .database(error)
        }
    }

    func event(
        _ action: RegistryEvent.Action, model: String?, version: Int?, details: some Encodable
    ) throws(RegistryError) {
        try run(
            "INSERT INTO events (time, action, model, version, details) VALUES (?, ?, ?, ?, ?)",
            .text(Timestamp.now()), .text(action.rawValue), model.map { .text($0) } ?? .null,
            version.map { .integer(Int64($0)) } ?? .null, .text(JSON.text(details)))
    }
}
