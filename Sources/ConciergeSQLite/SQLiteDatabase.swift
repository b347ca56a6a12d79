import CSQLite
import Glibc

/// A thin, synchronous wrapper over the SQLite C API from Debian's libsqlite3.
///
/// Hand-written because the mirror's SQLite packages (GRDB, sqlite-nio) pull in far more than the
/// prepared statements and transactions the feature store and the registry need.
package final class SQLiteDatabase {
    package let path: String
    /// How long a statement waits for another connection's lock before it answers "locked".
    static let busyTimeoutMilliseconds: Int32 = 10_000
    let handle: OpaquePointer

    package enum OpenMode: Sendable {
        case readOnly
        /// Read-only, for a file no process writes, such as one on a read-only mount: SQLite takes no
        /// locks and reads no WAL, so it needs no `-shm` file beside the database, which a WAL database
        /// opened `readOnly` does and cannot create there.
        case immutable
        case readWrite
        case readWriteCreate
    }

    package init(path: String, mode: OpenMode = .readWriteCreate) throws(SQLiteError) {
        self.path = path
        var handle: OpaquePointer?
        let flags: Int32 =
            switch mode {
            case .readOnly: SQLITE_OPEN_READONLY
            case .immutable: SQLITE_OPEN_READONLY | SQLITE_OPEN_URI
            case .readWrite: SQLITE_OPEN_READWRITE
            case .readWriteCreate: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
            }
        let name = mode == .immutable ? "file:" + Self.uriPath(path) + "?immutable=1" : path
        let status = sqlite3_open_v2(name, &handle, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            throw SQLiteError(path: path, code: status, message: message)
        }
        self.handle = handle
        sqlite3_busy_timeout(handle, Self.busyTimeoutMilliseconds)
        try execute("PRAGMA foreign_keys = ON")
    }

    deinit { sqlite3_close_v2(handle) }

    /// A path as the path of a `file:` URI: the characters that URIs give a meaning to, percent-encoded.
    private static func uriPath(_ path: String) -> String {
        var encoded = ""
        for character in path {
            switch character {
            case "%": encoded += "%25"
            case "?": encoded += "%3F"
            case "#": encoded += "%23"
            default: encoded.append(character)
            }
        }
        return encoded
    }

    /// Runs one or more statements that return no rows.
    package func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        guard status == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(message)
            throw SQLiteError(path: path, code: status, message: text)
        }
    }

    /// Switches the file to write-ahead logging. Two connections switching a new file at once can deadlock in
    /// rollback mode, so SQLite answers one of them "locked" without calling the busy handler; that one waits
    /// and tries again (for as long as the busy timeout) instead of failing a publish or an ingest.
    package func enableWriteAheadLog() throws(SQLiteError) {
        let deadline = ContinuousClock.now + .milliseconds(Int(Self.busyTimeoutMilliseconds))
        while true {
            do {
                try execute("PRAGMA journal_mode = WAL")
                return
            } catch  where error.code & 0xFF == SQLITE_BUSY && ContinuousClock.now < deadline {
                usleep(10_000)
            }
        }
    }

    package func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status) }
        return SQLiteStatement(database: self, statement: statement)
    }

    /// Runs `body` in one transaction: committed if it returns, rolled back if it throws.
    package func transaction<T>(_ body: () throws -> T) throws -> T {
        try transaction(wrappingErrors: { $0 }, body)
    }

    /// A transaction whose body throws its own error type; SQLite's errors from BEGIN and COMMIT
    /// are turned into it by `wrap`.
    package func transaction<T, Failure: Error>(
        wrappingErrors wrap: (SQLiteError) -> Failure, _ body: () throws(Failure) -> T
    ) throws(Failure) -> T {
        do { try execute("BEGIN IMMEDIATE") } catch { throw wrap(error) }
        do throws(Failure) {
            let result = try body()
            do { try execute("COMMIT") } catch { throw wrap(error) }
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    package var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    package var changes: Int { Int(sqlite3_changes(handle)) }

    /// `PRAGMA user_version`, which the stores use as their schema version.
    package var userVersion: Int {
        get throws(SQLiteError) {
            let statement = try prepare("PRAGMA user_version")
            return try statement.step() ? statement.int(0) : 0
        }
    }

    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    func error(_ status: Int32) -> SQLiteError {
        SQLiteError(path: path, code: status, message: lastErrorMessage)
    }
}

package struct SQLiteError: Error, CustomStringConvertible, Sendable {
    package var path: String
    package var code: Int32
    package var message: String

    /// SQLite could not open the file, or the files beside it that it needs.
    package var isCannotOpen: Bool { code & 0xFF == SQLITE_CANTOPEN }

    package var description: String { "\(path): \(message) (SQLite error \(code))" }
}

/// A prepared statement. Bind parameters by 1-based index, `step()` through rows, read columns by 0-based index.
package final class SQLiteStatement {
    let database: SQLiteDatabase
    let statement: OpaquePointer

    init(database: SQLiteDatabase, statement: OpaquePointer) {
        self.database = database
        self.statement = statement
    }

    deinit { sqlite3_finalize(statement) }

    package enum Value: Sendable, Equatable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
        case blob([UInt8])
    }

    /// Binds `values` to parameters 1…n, after clearing what a previous run left.
    @discardableResult
    package func bind(_ values: Value...) throws(SQLiteError) -> SQLiteStatement {
        try bind(values)
    }

    @discardableResult
    package func bind(_ values: [Value]) throws(SQLiteError) -> SQLiteStatement {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32 =
                switch value {
                case .null: sqlite3_bind_null(statement, index)
                case .integer(let number): sqlite3_bind_int64(statement, index, number)
                case .real(let number): sqlite3_bind_double(statement, index, number)
                case .text(let text): sqlite3_bind_text(statement, index, text, -1, SQLITE_TRANSIENT)
                case .blob(let bytes):
                    bytes.withUnsafeBytes {
                        sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT)
                    }
                }
            guard status == SQLITE_OK else { throw database.error(status) }
        }
        return self
    }

    /// Advances to the next row; false when there are no more.
    package func step() throws(SQLiteError) -> Bool {
        let status = sqlite3_step(statement)
        switch status {
        case SQLITE_ROW: return true
        case SQLITE_DONE:
            sqlite3_reset(statement)
            return false
        default:
            sqlite3_reset(statement)
            throw database.error(status)
        }
    }

    /// Runs a statement that returns no rows.
    package func run() throws(SQLiteError) {
        while try step() {}
    }

    package func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
    package func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(statement, column)) }
    package func double(_ column: Int32) -> Double { sqlite3_column_double(statement, column) }

    package func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(statement, column) else { return "" }
        return String(cString: pointer)
    }

    package func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0, let pointer = sqlite3_column_blob(statement, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}

/// SQLite's "copy the bytes now" destructor, which the C header spells as a cast Swift cannot import.
let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
