/// A one-column vector (prices, hotel item offsets, user hotels), straight from a mapped file or copied
/// from memory, keeping its memory alive like the matrix views do.
struct VectorView<Element: BitwiseCopyable>: @unchecked Sendable {
    // @unchecked: `elements` points into read-only memory owned by `memory`.
    let memory: any ModelMemory
    let elements: UnsafeBufferPointer<Element>

    init(storage: MappedFile, header: MatrixFileHeader) {
        memory = storage
        elements = storage.elements(of: Element.self, at: MatrixFileHeader.size, count: header.rows)
    }

    init(copying values: some Collection<Element>) {
        let copy = HeapCopy(values)
        memory = copy
        elements = copy.elements
    }

    /// Bounds-checked in release builds too: the mapped buffer's own check is debug-only.
    subscript(index: Int) -> Element {
        precondition(elements.indices.contains(index), "index \(index) outside 0..<\(elements.count)")
        return elements[index]
    }
}
