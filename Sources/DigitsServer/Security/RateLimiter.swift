import Foundation
import Synchronization
import Vapor

/// Limits how often one client may do something: a token bucket per client address that
/// holds `perMinute` tokens and refills at `perMinute` a minute, so short bursts pass and a
/// steady stream is held to the rate. Over the limit: 429 with `Retry-After`.
final class RateLimiter: AsyncMiddleware, Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let perMinute: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    init(perMinute: Int) {
        self.perMinute = perMinute
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let client = request.clientAddress
        if let wait = take(for: client, at: Date()) {
            let seconds = Int(wait.rounded(.up))
            throw Abort(
                .tooManyRequests, headers: ["Retry-After": String(seconds)],
                reason: "too many digits from this address: at most \(perMinute) a minute; try again in \(seconds) s")
        }
        return try await next.respond(to: request)
    }

    /// Takes a token for `client`; nil when it had one, else the seconds until it will.
    func take(for client: String, at now: Date) -> Double? {
        let capacity = Double(perMinute)
        let perSecond = capacity / 60
        return buckets.withLock { buckets in
            var bucket = buckets[client] ?? Bucket(tokens: capacity, updated: now)
            bucket.tokens = min(capacity, bucket.tokens + now.timeIntervalSince(bucket.updated) * perSecond)
            bucket.updated = now
            defer {
                buckets[client] = bucket
                // Full buckets carry no state worth keeping; dropping them bounds the memory.
                if buckets.count > 10_000 {
                    buckets = buckets.filter { $0.value.tokens + now.timeIntervalSince($0.value.updated) * perSecond < capacity }
                }
            }
            guard bucket.tokens >= 1 else { return (1 - bucket.tokens) / perSecond }
            bucket.tokens -= 1
            return nil
        }
    }
}
