import Synchronization

/// A token bucket per client: `burst` requests at once, refilled at `rate` a second. A client past it is told
/// how many whole seconds to wait for its next request.
public final class RateLimiter: Sendable {
    public struct Limit: Sendable, Equatable, CustomStringConvertible {
        public var perSecond: Double
        public var burst: Int

        public init(perSecond: Double, burst: Int) {
            self.perSecond = perSecond
            self.burst = burst
        }

        /// `50/s`, as `--rate-limit` takes it.
        public var description: String {
            (perSecond == perSecond.rounded() && perSecond < 1e15 ? String(Int64(perSecond)) : String(perSecond)) + "/s"
        }
    }

    private struct Bucket {
        var tokens: Double
        var updatedAt: UInt64
    }

    public let limit: Limit
    private let now: @Sendable () -> UInt64
    private let buckets = Mutex<[String: Bucket]>([:])
    /// Past this many clients, the ones whose bucket has refilled are forgotten: a full bucket is what a new
    /// client gets anyway, and many addresses must not grow the table without bound.
    private let forgetThreshold: Int

    public convenience init(_ limit: Limit) {
        self.init(limit, forgetThreshold: 10_000, now: MonotonicClock.now)
    }

    /// `now` is monotonic nanoseconds; tests give their own clock.
    init(_ limit: Limit, forgetThreshold: Int, now: @escaping @Sendable () -> UInt64) {
        self.limit = limit
        self.forgetThreshold = forgetThreshold
        self.now = now
    }

    /// Takes one request from `client`'s bucket: nil when allowed, else the seconds to wait (at least 1).
    public func retryAfter(for client: String) -> Int? {
        let now = now()
        return buckets.withLock { buckets in
            if buckets.count >= forgetThreshold, buckets[client] == nil { forgetRefilled(&buckets, now: now) }
            var bucket = buckets[client] ?? Bucket(tokens: Double(limit.burst), updatedAt: now)
            bucket.tokens = refilled(bucket, now: now)
            bucket.updatedAt = now
            defer { buckets[client] = bucket }
            guard bucket.tokens >= 1 else {
                return max(1, Int(((1 - bucket.tokens) / limit.perSecond).rounded(.up)))
            }
            bucket.tokens -= 1
            return nil
        }
    }

    public var clientCount: Int { buckets.withLock { $0.count } }

    private func refilled(_ bucket: Bucket, now: UInt64) -> Double {
        let elapsedSeconds = Double(now &- bucket.updatedAt) / 1e9
        return min(Double(limit.burst), bucket.tokens + elapsedSeconds * limit.perSecond)
    }

    private func forgetRefilled(_ buckets: inout [String: Bucket], now: UInt64) {
        buckets = buckets.filter { refilled($0.value, now: now) < Double(limit.burst) }
    }
}
