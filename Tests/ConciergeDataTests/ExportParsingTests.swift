import Testing

@testable import ConciergeData

/// The datetimes a row's validation is built on (the JSON of `contents` is tested with ConciergeJSON).
@Suite struct ExportParsingTests {
    func seconds(_ text: String) -> Int? { ExportDateTime.seconds(parsing: Array(text.utf8)[...]) }

    @Test func datetimesAreKoreanWallClockTime() {
        #expect(seconds("1970-01-01 09:00:00") == 0)
        #expect(seconds("2024-02-29 23:59:59") == 1_709_218_799)
        for invalid in [
            "2023-02-29 10:00:00", "2024-04-31 10:00:00", "2024-13-01 10:00:00", "2024-03-05 24:00:00",
            "2024/03/05 10:00:00", "2024-03-05T10:00:00", "2024-03-05 10:00", "2024-03-05 10:00:00.0", "",
        ] {
            #expect(seconds(invalid) == nil, "\(invalid)")
        }
        var formatted: [UInt8] = []
        ExportDateTime.append(1_709_218_799, to: &formatted)
        #expect(String(decoding: formatted, as: UTF8.self) == "2024-02-29 23:59:59")
    }
}
