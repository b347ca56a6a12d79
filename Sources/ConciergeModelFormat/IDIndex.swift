import Glibc

/// External ids ↔ indices for one id file, built once at load. An open-addressing hash table of
/// line numbers over the mapped bytes: building it creates no `String`s, which makes it several
/// times faster than a `[String: Int]` for a million ids, in less memory.
struct IDIndex: Sendable {
    let lines: LineFile
    /// Per slot, a line number in the low 32 bits (all ones for an empty slot) and the high 32 bits of its id's
    /// hash above, so that a probe that meets another id is told apart by one comparison, not by its bytes: a
    /// second probe cost about 70 instructions that way. A power-of-two count at most half full.
    private let slots: [UInt64]
    /// Per load, so the slot order cannot be planned from outside.
    private let seed: UInt64

    private static let empty = UInt64(UInt32.max)

    init(lines: LineFile) throws(ModelFileError) {
        var capacity = 16
        while capacity < lines.count * 2 { capacity <<= 1 }
        let seed = UInt64.random(in: .min ... .max)
        let mask = capacity - 1
        var slots = [UInt64](repeating: Self.empty, count: capacity)
        for line in 0..<lines.count {
            let id = lines.bytes(at: line)
            guard !id.isEmpty else {
                throw .invalidFile(path: lines.storage.path, problem: "line \(line + 1) is empty")
            }
            let hash = Self.hash(id, seed: seed)
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != Self.empty {
                let other = Int(UInt32(truncatingIfNeeded: slots[slot]))
                if slots[slot] >> 32 == hash >> 32 && Self.equal(lines.bytes(at: other), id) {
                    throw .invalidFile(
                        path: lines.storage.path,
                        problem: "line \(line + 1) repeats id '\(lines[line])' from line \(other + 1)")
                }
                slot = (slot + 1) & mask
            }
            slots[slot] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(line)
        }
        self.lines = lines
        self.slots = slots
        self.seed = seed
    }

    var count: Int { lines.count }

    subscript(index: Int) -> String { lines[index] }

    func index(of id: String) -> Int? {
        var id = id
        return id.withUTF8 { bytes in
            let key = UnsafeRawBufferPointer(bytes)
            let hash = Self.hash(key, seed: seed)
            return slots.withUnsafeBufferPointer { slots in
                let mask = slots.count - 1
                var slot = Int(truncatingIfNeeded: hash) & mask
                while slots[slot] != Self.empty {
                    let line = Int(UInt32(truncatingIfNeeded: slots[slot]))
                    if slots[slot] >> 32 == hash >> 32 && Self.equal(lines.bytes(at: line), key) { return line }
                    slot = (slot + 1) & mask
                }
                return nil
            }
        }
    }

    @inline(__always)
    private static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        // Ids under eight bytes (guests' and items' usually are) compared as words: `memcmp` is a call.
        if a.count < 8 { return tail(a, from: 0) == tail(b, from: 0) }
        return memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
    }

    /// The bytes from `offset` on, fewer than eight, as the low bytes of a word (little-endian), the rest zero:
    /// a load of four, two and one as the count needs, where a loop took a shift and a branch per byte.
    @inline(__always)
    private static func tail(_ bytes: UnsafeRawBufferPointer, from offset: Int) -> UInt64 {
        let count = bytes.count - offset
        guard count > 0, let base = bytes.baseAddress else { return 0 }
        let start = base + offset
        var word: UInt64 = 0
        var filled = 0
        if count & 4 != 0 {
            word = UInt64(UInt32(littleEndian: start.loadUnaligned(as: UInt32.self)))
            filled = 4
        }
        if count & 2 != 0 {
            word |=
                UInt64(UInt16(littleEndian: start.loadUnaligned(fromByteOffset: filled, as: UInt16.self)))
                << (filled * 8)
            filled += 2
        }
        if count & 1 != 0 {
            word |= UInt64(start.load(fromByteOffset: filled, as: UInt8.self)) << (filled * 8)
        }
        return word
    }

    /// Eight bytes at a time, each step multiplied and folded, then MurmurHash3's finaliser.
    @inline(__always)
    private static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        var state = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        var offset = 0
        while offset + 8 <= bytes.count {
            state = (state ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            state ^= state >> 31
            offset += 8
        }
        state ^= tail(bytes, from: offset)
        state = (state ^ (state >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        state = (state ^ (state >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return state ^ (state >> 33)
    }
}
