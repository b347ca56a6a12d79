import ConciergeSQLite
import Foundation
import Synchronization
import Testing

@Suite struct SQLiteDatabaseTests {
    private func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("sqlite-\(UUID().uuidString).sqlite").path
    }

    @Test func valuesRoundTrip() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try SQLiteDatabase(path: path)
        try database.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n INTEGER)")
        try database.prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?)")
            .bind(.integer(42), .real(2.5), .text("호텔 'quoted'"), .blob([0, 1, 255]), .null).run()
        let select = try database.prepare("SELECT i, r, s, b, n FROM t")
        #expect(try select.step())
        #expect(select.int(0) == 42)
        #expect(select.double(1) == 2.5)
        #expect(select.text(2) == "호텔 'quoted'")
        #expect(select.blob(3) == [0, 1, 255])
        #expect(select.isNull(4))
        #expect(try !select.step())
    }

    /// Immutable opens go through a `file:` URI, so a path with URI characters must still name the file.
    @Test func immutableOpenReadsAFileWhosePathHasURICharacters() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sqlite #1 ?50% \(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/index.sqlite"
        let writer = try SQLiteDatabase(path: path)
        try writer.execute("PRAGMA journal_mode = WAL; CREATE TABLE t (s TEXT); INSERT INTO t VALUES ('kept')")
        try writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")

        let reader = try SQLiteDatabase(path: path, mode: .immutable)
        let select = try reader.prepare("SELECT s FROM t")
        #expect(try select.step())
        #expect(select.text(0) == "kept")
        #expect(throws: SQLiteError.self) { try reader.execute("INSERT INTO t VALUES ('refused')") }
        #expect(
            !FileManager.default.fileExists(atPath: folder + "/sqlite #1 ?50%"), "the URI must not name another file")
    }

    @Test func failedTransactionLeavesNothing() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try SQLiteDatabase(path: path)
        try database.execute("CREATE TABLE t (i INTEGER PRIMARY KEY)")
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try database.transaction {
                try database.prepare("INSERT INTO t VALUES (1)").run()
                throw Abort()
            }
        }
        let count = try database.prepare("SELECT count(*) FROM t")
        #expect(try count.step())
        #expect(count.int(0) == 0)
    }

    @Test func openingAMissingFileReadOnlyNamesThePath() {
        let path = temporaryPath()
        #expect {
            _ = try SQLiteDatabase(path: path, mode: .readOnly)
        } throws: { error in
            (error as? SQLiteError)?.description.contains(path) == true
        }
    }

    /// Connections that switch a new file to WAL together deadlock in rollback mode, and SQLite answers one of
    /// them "locked" without waiting; each must still end up in WAL. Repeated because the race is narrow.
    @Test func connectionsSwitchingANewFileToWALTogetherAllSucceed() throws {
        for _ in 0..<50 {
            let path = temporaryPath()
            defer {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                do {
                    let database = try SQLiteDatabase(path: path)
                    _ = try database.userVersion
                    try database.enableWriteAheadLog()
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
        }
    }
}
