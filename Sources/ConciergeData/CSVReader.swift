/// An RFC 4180 CSV tokenizer fed chunks of any size, so a file of hundreds of megabytes streams through a
/// fixed buffer. It works on bytes: delimiters are ASCII, so UTF-8 text passes through untouched.
///
/// Quoted fields may hold commas, doubled quotes and line breaks (LF, CR, CRLF). Records end at LF or CRLF;
/// a lone CR outside quotes is data. Empty lines are not records. A quote where RFC 4180 allows none marks the
/// record `.malformed` rather than guessing what was meant.
struct CSVReader {
    private enum State {
        case fieldStart
        case unquoted
        case quoted
        /// Just read a quote inside a quoted field: either the first of a doubled quote or the closing one.
        case quoteInQuoted
        /// Only a delimiter may follow: after an unquoted or empty field, or after a closing quote.
        case afterUnquoted
        case afterClosingQuote
    }

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lineFeed = UInt8(ascii: "\n"),
        carriageReturn = UInt8(ascii: "\r")

    private var state = State.fieldStart
    /// A CR outside quotes waits for the next byte, which may be in the next chunk, to learn whether it ends a line.
    private var pendingCarriageReturn = false
    private var line = 1
    private var recordLine = 1
    private var raw: [UInt8] = []
    private var fieldBytes: [UInt8] = []
    private var fieldEnds: [Int] = []
    private var quoting = CSVRecord.Quoting.wellFormed

    init() {}

    /// Tokenizes `chunk`, calling `body` with every record it completes.
    mutating func read(_ chunk: UnsafeBufferPointer<UInt8>, _ body: (CSVRecord) throws -> Void) rethrows {
        var index = 0
        var rawStart = 0
        let end = chunk.count
        while index < end {
            let byte = chunk[index]
            if pendingCarriageReturn {
                pendingCarriageReturn = false
                if byte == Self.lineFeed {
                    raw.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[rawStart..<index]))
                    raw.removeLast()  // the CR, read in this chunk or the one before
                    index += 1
                    rawStart = index
                    try endLine(body)
                    continue
                }
                if state == .afterClosingQuote { quoting = .malformed }
                fieldBytes.append(Self.carriageReturn)
                state = .unquoted
            }
            switch state {
            case .fieldStart:
                if byte == Self.quote {
                    state = .quoted
                    index += 1
                } else {
                    state = .unquoted
                }
            case .unquoted:
                var runEnd = index
                while runEnd < end {
                    let next = chunk[runEnd]
                    if next == Self.comma || next == Self.lineFeed || next == Self.carriageReturn || next == Self.quote
                    {
                        break
                    }
                    runEnd += 1
                }
                fieldBytes.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[index..<runEnd]))
                index = runEnd
                if index < end {
                    if chunk[index] == Self.quote {
                        quoting = .malformed
                        fieldBytes.append(Self.quote)
                        index += 1
                    } else {
                        state = .afterUnquoted
                    }
                }
            case .quoted:
                var runEnd = index
                while runEnd < end {
                    let next = chunk[runEnd]
                    if next == Self.quote { break }
                    if next == Self.lineFeed { line += 1 }
                    runEnd += 1
                }
                fieldBytes.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[index..<runEnd]))
                index = runEnd
                if index < end {
                    state = .quoteInQuoted
                    index += 1
                }
            case .quoteInQuoted:
                if byte == Self.quote {
                    fieldBytes.append(Self.quote)
                    state = .quoted
                    index += 1
                } else {
                    state = .afterClosingQuote
                }
            case .afterUnquoted, .afterClosingQuote:
                index += 1
                switch byte {
                case Self.comma:
                    fieldEnds.append(fieldBytes.count)
                    state = .fieldStart
                case Self.lineFeed:
                    raw.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[rawStart..<(index - 1)]))
                    rawStart = index
                    try endLine(body)
                case Self.carriageReturn:
                    pendingCarriageReturn = true
                default:
                    // Only after a closing quote: the unquoted state stops at delimiters alone.
                    quoting = .malformed
                    fieldBytes.append(byte)
                    state = .unquoted
                }
            }
        }
        raw.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[rawStart..<end]))
    }

    /// Hands over the last record when the input does not end with a line break.
    mutating func finish(_ body: (CSVRecord) throws -> Void) rethrows {
        if pendingCarriageReturn {
            pendingCarriageReturn = false
            raw.removeLast()
        }
        guard !raw.isEmpty else { return }
        if state == .quoted { quoting = .unterminated }
        try emit(body)
    }

    /// At a line break outside quotes; `raw` holds the line without its break.
    private mutating func endLine(_ body: (CSVRecord) throws -> Void) rethrows {
        line += 1
        guard !raw.isEmpty else {
            recordLine = line
            state = .fieldStart
            return
        }
        try emit(body)
    }

    private mutating func emit(_ body: (CSVRecord) throws -> Void) rethrows {
        fieldEnds.append(fieldBytes.count)
        try body(CSVRecord(line: recordLine, raw: raw, quoting: quoting, fieldBytes: fieldBytes, fieldEnds: fieldEnds))
        raw.removeAll(keepingCapacity: true)
        fieldBytes.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        quoting = .wellFormed
        state = .fieldStart
        recordLine = line
    }
}
