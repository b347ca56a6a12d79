// A libFuzzer target for `HTTPRequestParser`.
//
// Every input is taken as the bytes a client sent on one connection. They are parsed under three sets of limits
// (the defaults, fixed tiny ones, and small ones chosen by the input's last byte), and under each set in three ways:
// all at once, in two pieces split where the first byte says, and one byte at a time. The parser promises the same
// events however the bytes arrive, so the three runs must agree exactly: the same heads and bodies, the same error,
// and the same bytes left over. Each run also checks what must hold of any event sequence.
//
// SwiftPM links an executable module's entry point as `<Module>_main`, so this file exports `ParserFuzzer_main`
// itself and hands control to libFuzzer's driver (see shared/notes/swift-here.md).

@testable import ConciergeHTTP
import HTTPTypes

#if canImport(Glibc)
import Glibc
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    ParserFuzzing.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

@_cdecl("ParserFuzzer_main")
public func parserFuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput)
}

enum ParserFuzzing {
    typealias Limits = HTTPServerConfiguration.Limits

    /// How one parse of a byte stream ended.
    enum Ending: Equatable, CustomStringConvertible {
        /// The parser wanted more bytes: where it was, and how many bytes it left in the buffer.
        case needsMore(phase: HTTPRequestParser.Phase, unconsumed: Int)
        case failed(HTTPError)

        var description: String {
            switch self {
            case .needsMore(let phase, let unconsumed): "needs more (phase \(phase), \(unconsumed) bytes unconsumed)"
            case .failed(let error): "error \(error.status.code) \(error.code): \(error.message)"
            }
        }
    }

    struct Outcome: Equatable {
        var events: [HTTPParserEvent] = []
        var ending = Ending.needsMore(phase: .betweenRequests, unconsumed: 0)
    }

    static let tinyLimits = Limits(
        maxRequestLineBytes: 24, maxHeaderLineBytes: 20, maxHeaderBytes: 64, maxHeaderCount: 3, maxBodyBytes: 16)

    /// Small limits picked by one byte, so the fuzzer can put any of them right at a line's length.
    static func smallLimits(_ byte: UInt8) -> Limits {
        let n = Int(byte & 0x3F) + 1
        return Limits(
            maxRequestLineBytes: n, maxHeaderLineBytes: n, maxHeaderBytes: n * 2 + Int(byte >> 6) * 16,
            maxHeaderCount: Int(byte >> 6) + 1, maxBodyBytes: n)
    }

    static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        let split = Int(bytes[0]) % (bytes.count + 1)
        for limits in [Limits(), tinyLimits, smallLimits(bytes[bytes.count - 1])] {
            let whole = parse(bytes, limits: limits, pieces: [bytes.count])
            let halves = parse(bytes, limits: limits, pieces: [split, bytes.count - split])
            let bytewise = parse(bytes, limits: limits, pieces: Array(repeating: 1, count: bytes.count))
            agree(whole, halves, "split at \(split)", bytes, limits)
            agree(whole, bytewise, "one byte at a time", bytes, limits)
        }
    }

    /// Feeds the bytes to a fresh parser in pieces of the given sizes, taking every event after each piece,
    /// and checks the invariants of the event sequence as it goes.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, limits: Limits, pieces: [Int]) -> Outcome {
        var parser = HTTPRequestParser(limits: limits)
        // A small buffer makes the parser's saved scan offsets live through moves and reallocations.
        let buffer = InputBuffer(capacity: 16)
        var outcome = Outcome()
        var openHead: HTTPRequestHead?
        var offset = 0
        for piece in pieces {
            buffer.append(UnsafeBufferPointer(rebasing: bytes[offset..<(offset + piece)]))
            offset += piece
            while true {
                let event: HTTPParserEvent?
                do {
                    event = try parser.next(buffer)
                } catch {
                    outcome.ending = .failed(error)
                    return outcome
                }
                guard let event else { break }
                outcome.events.append(event)
                switch event {
                case .head(let head):
                    check(openHead == nil, "a second head before the first request's end")
                    checkHead(head, limits: limits)
                    openHead = head
                    check(parser.phase == .body, "after a head the parser is not in the body phase")
                case .end(let body):
                    guard let head = openHead else { fail(".end without a preceding .head") }
                    switch head.framing {
                    case .none:
                        check(body.isEmpty, "a request without a body framing has a body")
                    case .length(let length):
                        check(body.count == length, "body of \(body.count) bytes for Content-Length \(length)")
                    case .chunked:
                        check(body.count <= limits.maxBodyBytes, "a chunked body is over maxBodyBytes")
                    }
                    openHead = nil
                    check(parser.phase == .betweenRequests, "after an end the parser is not between requests")
                }
            }
        }
        check(offset == bytes.count, "pieces do not add up to the input")
        if let openHead, openHead.framing == .none {
            fail("a request without a body framing did not end at once")
        }
        outcome.ending = .needsMore(phase: parser.phase, unconsumed: buffer.readableCount)
        return outcome
    }

    static func checkHead(_ head: HTTPRequestHead, limits: Limits) {
        check(head.target.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "a target byte is not visible ASCII")
        check(!head.target.isEmpty, "an empty target")
        check(head.version == .http1_0 || head.version == .http1_1, "version \(head.version)")
        check(head.version == .http1_0 || head.headerFields[KnownField.host] != nil, "1.1 without Host")
        check(head.headerFields.count <= limits.maxHeaderCount, "more header fields than maxHeaderCount")
        // RFC 9112 §6.3: a Content-Length that is not a number, or a Transfer-Encoding that does not end in
        // chunked, makes the request unreadable; one that got through must have framed the body.
        for field in head.headerFields where field.name == .contentLength {
            check(field.value.utf8.contains { $0 >= 0x30 && $0 <= 0x39 }, "accepted Content-Length '\(field.value)'")
        }
        if head.headerFields[.transferEncoding] != nil {
            check(head.framing == .chunked, "accepted Transfer-Encoding without chunked framing: \(head.framing)")
        }
        switch head.framing {
        case .none:
            check(!head.expectsContinue, "expects 100-continue without a body")
        case .length(let length):
            check(length > 0 && length <= limits.maxBodyBytes, "Content-Length \(length) out of range")
        case .chunked:
            check(head.version == .http1_1, "chunked in HTTP/1.0")
            check(head.headerFields[.contentLength] == nil, "chunked with Content-Length")
        }
    }

    static func agree(
        _ expected: Outcome, _ actual: Outcome, _ how: String, _ bytes: UnsafeBufferPointer<UInt8>, _ limits: Limits
    ) {
        guard expected != actual else { return }
        let input = String(decoding: bytes, as: UTF8.self).debugDescription
        var report = """
            MISMATCH parsing \(how) vs all at once, limits \(limits)
            input: \(input)
            all at once: \(expected.events.count) events, \(expected.ending)
            \(how): \(actual.events.count) events, \(actual.ending)

            """
        if let index = zip(expected.events, actual.events).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            report += "first differing event #\(index):\n  all at once: \(expected.events[index])\n  \(how): \(actual.events[index])\n"
        }
        fail(report + "the parser's events depend on how the bytes arrive")
    }
}

/// `precondition`, but with its message written out even in a release build (where Swift drops it).
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

func fail(_ message: String) -> Never {
    var line = "ParserFuzzer: " + message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    abort()
}
