/// A one-column binary file viewed as a typed buffer (prices, hotel item offsets, user hotels),
/// keeping its mapping alive like the matrix views do.
struct MappedVector<Element: BitwiseCopyable>: @unchecked Sendable {
    // @unchecked: `elements` points into a read-only mapping owned by `storage`.
    let storage: MappedFile
    let elements: UnsafeBufferPointer<Element>

    init(storage: MappedFile, header: MatrixFileHeader) {
        self.storage = storage
        self.elements = storage.elements(of: Element.self, at: MatrixFileHeader.size, count: header.rows)
    }

    /// Bounds-checked in release builds too: the mapped buffer's own check is debug-only.
    subscript(index: Int) -> Element {
        precondition(elements.indices.contains(index), "index \(index) outside 0..<\(elements.count)")
        return elements[index]
    }
}
