import Testing

@testable import ConciergeHTTP

@Suite("RateLimiter")
struct RateLimiterTests {
    @Test("a full bucket allows the burst at once, then one request per 1/rate seconds")
    func tokenBucket() {
        let clock = TestClock()
        let limiter = RateLimiter(.init(perSecond: 10, burst: 3), forgetThreshold: 100, now: clock.now)
        for _ in 0..<3 { #expect(limiter.retryAfter(for: "a") == nil) }
        #expect(limiter.retryAfter(for: "a") == 1)
        clock.advance(seconds: 0.05)
        #expect(limiter.retryAfter(for: "a") == 1, "half a token is not a request")
        clock.advance(seconds: 0.05)
        #expect(limiter.retryAfter(for: "a") == nil)
        #expect(limiter.retryAfter(for: "a") == 1)
        clock.advance(seconds: 60)
        for _ in 0..<3 { #expect(limiter.retryAfter(for: "a") == nil) }
        #expect(limiter.retryAfter(for: "a") != nil, "an idle client refills to the burst, not beyond")
    }

    @Test("Retry-After is the whole seconds until the next token, at least 1")
    func retryAfterSeconds() {
        let clock = TestClock()
        let limiter = RateLimiter(.init(perSecond: 0.25, burst: 1), forgetThreshold: 100, now: clock.now)
        #expect(limiter.retryAfter(for: "a") == nil)
        #expect(limiter.retryAfter(for: "a") == 4)
        clock.advance(seconds: 2.5)
        #expect(limiter.retryAfter(for: "a") == 2)
    }

    @Test("a limit reads as --rate-limit takes it")
    func limitDescription() {
        #expect(RateLimiter.Limit(perSecond: 50, burst: 50).description == "50/s")
        #expect(RateLimiter.Limit(perSecond: 0.5, burst: 1).description == "0.5/s")
    }

    @Test("clients have buckets of their own")
    func perClient() {
        let limiter = RateLimiter(.init(perSecond: 1, burst: 1), forgetThreshold: 100, now: TestClock().now)
        #expect(limiter.retryAfter(for: "a") == nil)
        #expect(limiter.retryAfter(for: "a") != nil)
        #expect(limiter.retryAfter(for: "b") == nil)
    }

    @Test("past the threshold, clients whose bucket has refilled are forgotten; limited ones are kept")
    func forgetsRefilledClients() {
        let clock = TestClock()
        let limiter = RateLimiter(.init(perSecond: 1, burst: 1), forgetThreshold: 3, now: clock.now)
        for client in ["a", "b", "c"] { #expect(limiter.retryAfter(for: client) == nil) }
        clock.advance(seconds: 5)
        #expect(limiter.retryAfter(for: "c") == nil)
        #expect(limiter.retryAfter(for: "d") == nil)
        #expect(limiter.clientCount == 2, "a and b refilled and were forgotten; c (just used) and d stay")
        #expect(limiter.retryAfter(for: "c") != nil)
    }
}
