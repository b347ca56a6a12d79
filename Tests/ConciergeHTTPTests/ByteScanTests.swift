import Testing

@testable import ConciergeHTTP

@Suite("ByteScan")
struct ByteScanTests {
    /// Every byte value at every position of texts of 0 to 20 bytes, from every start: the word-at-a-time scan
    /// must stop where a byte-at-a-time one does, whatever sits before and after the byte.
    @Test func firstInvisibleStopsWhereAByteScanDoes() {
        for length in 0...20 {
            for position in 0..<max(length, 1) {
                for byte in UInt8.min...UInt8.max {
                    var text = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    if position < length { text[position] = byte }
                    // A byte past the checked one that would fool a scan reading borrows or carries downwards.
                    if position + 1 < length { text[position + 1] = 0x00 }
                    for start in [0, min(1, length), min(3, length)] {
                        let expected = text[start...].firstIndex { !(0x21...0x7E).contains($0) } ?? length
                        let found = text.withUnsafeBufferPointer { ByteScan.firstInvisible(in: $0, from: start) }
                        #expect(found == expected, "length \(length), byte \(byte) at \(position), from \(start)")
                    }
                }
            }
        }
    }

    @Test func isPlainFindsEscapesAndNonASCIIAnywhere() {
        for length in 0...20 {
            for position in 0..<max(length, 1) {
                for byte in UInt8.min...UInt8.max {
                    var text = [UInt8](repeating: UInt8(ascii: "k"), count: length)
                    if position < length { text[position] = byte }
                    for plusIsSpace in [false, true] {
                        let expected = text.allSatisfy {
                            $0 < 0x80 && $0 != UInt8(ascii: "%") && !(plusIsSpace && $0 == UInt8(ascii: "+"))
                        }
                        let found = text.withUnsafeBufferPointer { ByteScan.isPlain($0, plusIsSpace: plusIsSpace) }
                        #expect(found == expected, "length \(length), byte \(byte) at \(position), plus \(plusIsSpace)")
                    }
                }
            }
        }
    }
}
