/// The 64-byte header that starts every binary file of a model: magic, format version, element type
/// and dimensions, then zeros. Because `mmap` returns page-aligned memory, data that starts at a
/// multiple of 64 bytes in the file is 64-byte aligned in memory, which is what the SIMD loops want.
struct MatrixFileHeader: Equatable, Sendable {
    enum Layout: Sendable {
        /// `rows × columns` elements, row-major, from byte 64.
        case dense
        /// Offsets (int64, rows + 1), column indices (int32, nonZeros), values (elementType, nonZeros),
        /// each section starting at the next multiple of 64.
        case csr

        var magic: [UInt8] {
            switch self {
            case .dense: Array("CNCGDENS".utf8)
            case .csr: Array("CNCGCSR\0".utf8)
            }
        }
    }

    enum ElementType: UInt32, Sendable {
        case float32 = 1
        case int32 = 2
        case int64 = 3
        case float64 = 4

        var size: Int {
            switch self {
            case .float32, .int32: 4
            case .int64, .float64: 8
            }
        }

        var name: String {
            switch self {
            case .float32: "float32"
            case .int32: "int32"
            case .int64: "int64"
            case .float64: "float64"
            }
        }
    }

    static let size = 64
    static let alignment = 64
    static let formatVersion: UInt32 = 1

    var layout: Layout
    var elementType: ElementType
    var rows: Int
    var columns: Int
    /// Stored entries of a CSR file; zero for dense files.
    var nonZeros: Int

    static func dense(_ elementType: ElementType, rows: Int, columns: Int) -> MatrixFileHeader {
        MatrixFileHeader(layout: .dense, elementType: elementType, rows: rows, columns: columns, nonZeros: 0)
    }

    static func csr(rows: Int, columns: Int, nonZeros: Int) -> MatrixFileHeader {
        MatrixFileHeader(layout: .csr, elementType: .float32, rows: rows, columns: columns, nonZeros: nonZeros)
    }

    static func aligned(_ offset: Int) -> Int { (offset + alignment - 1) / alignment * alignment }

    /// Where the sections of a CSR file start, and where the file ends.
    var csrSections: (offsets: Int, indices: Int, values: Int, end: Int) {
        let offsets = Self.size
        let indices = Self.aligned(offsets + 8 * (rows + 1))
        let values = Self.aligned(indices + 4 * nonZeros)
        return (offsets, indices, values, values + elementType.size * nonZeros)
    }

    /// The exact size of a file with this header.
    var fileSize: Int {
        switch layout {
        case .dense: Self.size + rows * columns * elementType.size
        case .csr: csrSections.end
        }
    }

    func encoded() -> [UInt8] {
        var bytes = layout.magic
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        append(Self.formatVersion)
        append(elementType.rawValue)
        append(UInt64(rows))
        append(UInt64(columns))
        append(UInt64(nonZeros))
        bytes.append(contentsOf: repeatElement(0, count: Self.size - bytes.count))
        return bytes
    }
}

extension MatrixFileHeader {
    /// Reads and checks a header against what the file must hold; `path` names the file in errors.
    init(
        decoding file: UnsafeRawBufferPointer, path: String, layout: Layout, elementType: ElementType
    ) throws(ModelFileError) {
        func fail(_ problem: String) -> ModelFileError { .invalidFile(path: path, problem: problem) }
        guard file.count >= Self.size else {
            throw fail("\(file.count) bytes is too short for the \(Self.size)-byte header")
        }
        guard Array(file[0..<8]) == layout.magic else {
            throw fail("bad magic (expected \"\(String(decoding: layout.magic.filter { $0 != 0 }, as: UTF8.self))\")")
        }
        func load<T: FixedWidthInteger>(_ offset: Int, as type: T.Type) -> T {
            T(littleEndian: file.loadUnaligned(fromByteOffset: offset, as: T.self))
        }
        let version = load(8, as: UInt32.self)
        guard version == Self.formatVersion else {
            throw fail("unsupported file format version \(version) (this concierge reads \(Self.formatVersion))")
        }
        let type = load(12, as: UInt32.self)
        guard type == elementType.rawValue else {
            throw fail("element type \(type) where \(elementType.rawValue) (\(elementType.name)) is required")
        }
        // Int32 bounds keep every size computation below from overflowing, and CSR indices are int32.
        let limit = UInt64(Int32.max)
        let rows = load(16, as: UInt64.self)
        let columns = load(24, as: UInt64.self)
        let nonZeros = load(32, as: UInt64.self)
        guard rows <= limit, columns <= limit else {
            throw fail("dimensions \(rows)×\(columns) are out of range")
        }
        guard layout == .csr ? nonZeros <= UInt64(Int.max / 16) : nonZeros == 0 else {
            throw fail("non-zero count \(nonZeros) is out of range for a \(layout == .csr ? "CSR" : "dense") file")
        }
        guard file[40..<Self.size].allSatisfy({ $0 == 0 }) else {
            throw fail("header bytes 40–63 must be zero")
        }
        self.init(
            layout: layout, elementType: elementType, rows: Int(rows), columns: Int(columns),
            nonZeros: Int(nonZeros))
        let (area, overflow) = self.rows.multipliedReportingOverflow(by: self.columns)
        guard !overflow, area <= Int.max / 16 else { throw fail("dimensions \(rows)×\(columns) are out of range") }
        guard file.count == fileSize else {
            throw fail("size \(file.count) bytes does not match its header (\(fileSize) bytes expected)")
        }
    }
}
