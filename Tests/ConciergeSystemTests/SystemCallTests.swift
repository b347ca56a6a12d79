import ConciergeSystem
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("SystemCall")
struct SystemCallTests {
    @Test("an interrupted call is made again until it is not")
    func retriesInterrupts() throws {
        var calls = 0
        let result = try SystemCall.retryingInterrupts("read") { () -> Int in
            calls += 1
            guard calls == 3 else {
                errno = EINTR
                return -1
            }
            return 42
        }
        #expect(result == 42)
        #expect(calls == 3)
    }

    @Test("any other failure is thrown once, with the call's name and errno")
    func reportsErrno() {
        var calls = 0
        #expect(throws: SystemCall.Failure(call: "accept", errno: EMFILE)) {
            try SystemCall.retryingInterrupts("accept") { () -> Int32 in
                calls += 1
                errno = EMFILE
                return -1
            }
        }
        #expect(calls == 1)
        #expect(SystemCall.Failure(call: "accept", errno: EMFILE).description == "accept: Too many open files")
    }

    @Test("a real call on a closed descriptor fails with EBADF, and EAGAIN is a would-block")
    func realCall() throws {
        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        SystemCall.close(pipeEnds[1])
        var byte: UInt8 = 0
        #expect(try SystemCall.retryingInterrupts("read") { Glibc.read(pipeEnds[0], &byte, 1) } == 0)
        SystemCall.close(pipeEnds[0])
        #expect(throws: SystemCall.Failure(call: "read", errno: EBADF)) {
            try SystemCall.retryingInterrupts("read") { Glibc.read(pipeEnds[0], &byte, 1) }
        }
        #expect(SystemCall.Failure(call: "recv", errno: EAGAIN).wouldBlock)
        #expect(!SystemCall.Failure(call: "recv", errno: ECONNRESET).wouldBlock)
    }
}
