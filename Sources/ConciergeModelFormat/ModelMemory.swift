/// What keeps the memory behind a view alive: a mapped file (a served version) or a copy on the heap
/// (a model evaluated while it trains). Views hold one, so the buffers they hand out stay valid.
package protocol ModelMemory: AnyObject, Sendable {}

/// Elements copied into memory aligned as the model format aligns them in a file, so that the scoring
/// kernels see the same layout either way.
package final class HeapCopy<Element: BitwiseCopyable>: ModelMemory, @unchecked Sendable {
    // @unchecked: the buffer is written once, in init, and only read afterwards.
    package let elements: UnsafeBufferPointer<Element>

    package init(_ source: some Collection<Element>) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: max(1, source.count) * MemoryLayout<Element>.stride, alignment: MatrixFileHeader.alignment)
        let typed = buffer.bindMemory(to: Element.self)
        _ = typed.initialize(from: source)
        elements = UnsafeBufferPointer(rebasing: typed[0..<source.count])
    }

    deinit {
        UnsafeMutableRawPointer(mutating: elements.baseAddress).map { $0.deallocate() }
    }
}
