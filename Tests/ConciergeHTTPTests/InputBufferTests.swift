import Testing

@testable import ConciergeHTTP

@Suite struct InputBufferTests {
    @Test("an empty buffer gives all its memory back, and the next bytes allocate again")
    func releasedStorageIsAllocatedAgainOnUse() {
        let buffer = InputBuffer()
        buffer.append(Array(repeating: 7, count: 100_000))
        buffer.releaseStorage()
        #expect(buffer.capacity > 0, "a buffer holding bytes keeps them")
        buffer.consume(buffer.readableCount)
        buffer.releaseStorage()
        #expect(buffer.capacity == 0)
        buffer.append([1, 2, 3])
        #expect(Array(buffer.readable) == [1, 2, 3])
        #expect(buffer.capacity >= 4096)
    }
}
