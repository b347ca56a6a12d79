import Glibc

/// External ids ↔ indices for one id file, built once at load. An open-addressing hash table of
/// line numbers over the mapped bytes: building it creates no `String`s, which makes it several
/// times faster than a `[String: Int]` for a million ids and a third of the memory.
struct IDIndex: Sendable {
    let lines: LineFile
    /// Line numbers, or -1 for an empty slot; a power-of-two count at most half full.
    private let slots: [Int32]
    /// Per load, so the slot order cannot be planned from outside.
    private let seed: UInt64

    init(lines: LineFile) throws(ModelFileError) {
        var capacity = 16
        while capacity < lines.count * 2 { capacity <<= 1 }
        let seed = UInt64.random(in: .min ... .max)
        let mask = capacity - 1
        var slots = [Int32](repeating: -1, count: capacity)
        for line in 0..<lines.count {
            let id = lines.bytes(at: line)
            guard !id.isEmpty else {
                throw .invalidFile(path: lines.storage.path, problem: "line \(line + 1) is empty")
            }
            var slot = Int(truncatingIfNeeded: Self.hash(id, seed: seed)) & mask
            while slots[slot] >= 0 {
                let other = Int(slots[slot])
                if Self.equal(lines.bytes(at: other), id) {
                    throw .invalidFile(
                        path: lines.storage.path,
                        problem: "line \(line + 1) repeats id '\(lines[line])' from line \(other + 1)")
                }
                slot = (slot + 1) & mask
            }
            slots[slot] = Int32(line)
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
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: Self.hash(key, seed: seed)) & mask
            while slots[slot] >= 0 {
                let line = Int(slots[slot])
                if Self.equal(lines.bytes(at: line), key) { return line }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    private static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        a.count == b.count && (a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }

    /// Eight bytes at a time, each step multiplied and folded, then MurmurHash3's finaliser.
    private static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        var state = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        var offset = 0
        while offset + 8 <= bytes.count {
            state = (state ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            state ^= state >> 31
            offset += 8
        }
        // An index loop: enumerating the slice of the tail cost four times as much.
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            tail |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        state ^= tail
        state = (state ^ (state >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        state = (state ^ (state >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return state ^ (state >> 33)
    }
}
