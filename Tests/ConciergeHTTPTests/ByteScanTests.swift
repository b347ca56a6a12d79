import Testing

@testable import ConciergeHTTP

/// The word-at-a-time scans must answer as byte-at-a-time ones do: every byte value at every position of texts of
/// 0 to 20 bytes, whatever sits before and after it.
@Suite("ByteScan")
struct ByteScanTests {
    /// Calls `check` with each text of `filler` bytes that has one byte of every value at one position.
    private func forEachText(of filler: UInt8, _ check: ([UInt8], _ position: Int, _ byte: UInt8) -> Void) {
        for length in 0...20 {
            for position in 0..<max(length, 1) {
                for byte in UInt8.min...UInt8.max {
                    var text = [UInt8](repeating: filler, count: length)
                    if position < length { text[position] = byte }
                    check(text, position, byte)
                }
            }
        }
    }

    @Test func firstInvisibleStopsWhereAByteScanDoes() {
        forEachText(of: UInt8(ascii: "a")) { text, position, byte in
            var text = text
            // A byte past the checked one that would fool a scan reading borrows or carries downwards.
            if position + 1 < text.count { text[position + 1] = 0x00 }
            for start in [0, min(1, text.count), min(3, text.count)] {
                let expected = text[start...].firstIndex { !(0x21...0x7E).contains($0) } ?? text.count
                let found = text.withUnsafeBufferPointer { ByteScan.firstInvisible(in: $0, from: start) }
                #expect(found == expected, "length \(text.count), byte \(byte) at \(position), from \(start)")
            }
        }
    }

    @Test func isPlainFindsEscapesAndNonASCIIAnywhere() {
        forEachText(of: UInt8(ascii: "k")) { text, position, byte in
            for plusIsSpace in [false, true] {
                let expected = text.allSatisfy {
                    $0 < 0x80 && $0 != UInt8(ascii: "%") && !(plusIsSpace && $0 == UInt8(ascii: "+"))
                }
                let found = text.withUnsafeBufferPointer { ByteScan.isPlain($0, plusIsSpace: plusIsSpace) }
                #expect(found == expected, "length \(text.count), byte \(byte) at \(position), plus \(plusIsSpace)")
            }
        }
    }

    @Test func firstFindsTheByteWhereAByteScanDoes() {
        forEachText(of: UInt8(ascii: "a")) { text, position, byte in
            for start in [0, min(1, text.count), min(3, text.count)] {
                for end in Set([start, (start + text.count) / 2, text.count]) {
                    for wanted in [UInt8(ascii: "&"), UInt8(ascii: "="), byte] {
                        let expected = text[start..<end].firstIndex(of: wanted) ?? end
                        let found = text.withUnsafeBufferPointer {
                            ByteScan.first(wanted, in: $0, from: start, to: end)
                        }
                        #expect(
                            found == expected, "length \(text.count), byte \(byte) at \(position), \(start)..<\(end)")
                    }
                }
            }
        }
    }
}
