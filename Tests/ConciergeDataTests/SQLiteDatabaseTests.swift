import ConciergeSQLite
import Foundation
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
}
