import HTTPTypes

@testable import ConciergeHTTP

// Helpers shared by the parser, target and serializer tests.

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator, so random splits are reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// FNV-1a of a string: a stable seed per test case (Swift's `hashValue` changes from run to run).
func stableSeed(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash &*= 0x0000_0100_0000_01B3
    }
    return hash
}

/// The UTF-8 bytes of `text`.
func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

extension HTTPServerConfiguration.Limits {
    /// Small limits so the limit tests need only short inputs.
    static let small = HTTPServerConfiguration.Limits(
        maxRequestLineBytes: 64,
        maxHeaderLineBytes: 64,
        maxHeaderBytes: 256,
        maxHeaderCount: 8,
        maxBodyBytes: 32)
}

/// Ways of cutting a byte string into the pieces a socket might deliver.
enum Splits {
    /// Cut offsets (each in `1..<count`, ascending) for every byte on its own.
    static func byteByByte(_ count: Int) -> [Int] {
        count > 1 ? Array(1..<count) : []
    }

    /// Random cut offsets: sometimes a few, sometimes many, always ascending and distinct.
    static func random(_ count: Int, using rng: inout SplitMix64) -> [Int] {
        guard count > 1 else { return [] }
        let most = Bool.random(using: &rng) ? min(4, count - 1) : count - 1
        let cutCount = Int.random(in: 1...most, using: &rng)
        var cuts = Set<Int>()
        while cuts.count < cutCount {
            cuts.insert(Int.random(in: 1..<count, using: &rng))
        }
        return cuts.sorted()
    }

    /// The pieces `bytes` falls into when cut at `cuts`.
    static func pieces(_ bytes: [UInt8], cuts: [Int]) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        for cut in cuts + [bytes.count] where cut > start {
            pieces.append(bytes[start..<cut])
            start = cut
        }
        return pieces
    }
}

/// A parser with its input buffer, fed piece by piece the way a connection feeds it.
struct ParserHarness {
    var parser: HTTPRequestParser
    let buffer = InputBuffer(capacity: 16)

    init(limits: HTTPServerConfiguration.Limits = .init()) {
        parser = HTTPRequestParser(limits: limits)
    }

    /// Appends `piece` and drains every event the buffered bytes make.
    mutating func feed(_ piece: some Sequence<UInt8>) throws(HTTPError) -> [HTTPParserEvent] {
        buffer.append(piece)
        var events: [HTTPParserEvent] = []
        while let event = try parser.next(buffer) {
            events.append(event)
        }
        return events
    }
}

/// Feeds `bytes` cut at `splits` (ascending offsets) and returns every event, in order.
func parseAll(
    _ bytes: [UInt8], splits: [Int] = [], limits: HTTPServerConfiguration.Limits = .init()
) throws(HTTPError) -> [HTTPParserEvent] {
    var harness = ParserHarness(limits: limits)
    var events: [HTTPParserEvent] = []
    for piece in Splits.pieces(bytes, cuts: splits) {
        events += try harness.feed(piece)
    }
    return events
}

/// The error parsing `bytes` cut at `splits` raises, or nil when it raises none.
func parseError(
    _ bytes: [UInt8], splits: [Int] = [], limits: HTTPServerConfiguration.Limits = .init()
) -> HTTPError? {
    do {
        _ = try parseAll(bytes, splits: splits, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// Feeds `bytes` one byte at a time and returns how many bytes had been fed when the parser threw
/// (with the error), or nil when it never threw.
func byteCountAtError(
    _ bytes: [UInt8], limits: HTTPServerConfiguration.Limits = .init()
) -> (fed: Int, error: HTTPError)? {
    var harness = ParserHarness(limits: limits)
    for (index, byte) in bytes.enumerated() {
        do {
            _ = try harness.feed([byte])
        } catch {
            return (index + 1, error)
        }
    }
    return nil
}

/// The only head among `events`, or nil.
func singleHead(_ events: [HTTPParserEvent]) -> HTTPRequestHead? {
    let heads = events.compactMap { event -> HTTPRequestHead? in
        if case .head(let head) = event { return head }
        return nil
    }
    return heads.count == 1 ? heads[0] : nil
}

/// The bodies of the `.end` events, in order.
func bodies(_ events: [HTTPParserEvent]) -> [[UInt8]] {
    events.compactMap { event -> [UInt8]? in
        if case .end(let body) = event { return body }
        return nil
    }
}

/// A one-line description of an event, for readable expectations.
func summary(_ event: HTTPParserEvent) -> String {
    switch event {
    case .head(let head):
        let framing =
            switch head.framing {
            case .none: "none"
            case .length(let length): "length(\(length))"
            case .chunked: "chunked"
            }
        return "head \(head.method.rawValue) \(head.target) \(head.version) framing=\(framing)"
            + " keepAlive=\(head.keepAlive) continue=\(head.expectsContinue)"
    case .end(let body):
        return "end \(String(decoding: body, as: UTF8.self).debugDescription)"
    }
}

/// Header fields as "name: value" lines with canonical (lowercase) names, in order.
func fieldLines(_ fields: HTTPFields) -> [String] {
    fields.map { "\($0.name.canonicalName): \($0.value)" }
}
