import Fluent
import Foundation
import SQLKit
import Vapor

/// Limits how many digits one client may store: a token bucket per client (`clientAddress`)
/// that holds `perMinute` tokens and refills at `perMinute` a minute, so short bursts pass and
/// a steady stream is held to the rate. Over the limit: 429 with `Retry-After`, nothing stored.
///
/// The buckets are rows in the database, so that servers behind one proxy share them: a
/// client spreading requests over several servers gets the same `perMinute` in all. Taking
/// a token is one statement (an upsert that refills, takes if it can, and says whether it
/// did), atomic on SQLite and PostgreSQL alike; no lock, no read-then-write. A bucket left a
/// minute is full again and carries nothing worth keeping: `forgetFullBuckets` deletes it,
/// which bounds the table by the clients of the last minute.
struct RateLimiter: Sendable {
    let perMinute: Int

    /// Takes a token for `client` inside the caller's write transaction, or throws 429 with
    /// when the next one comes.
    /// `who` names the bucket in the refusal: "this address", "this contributor".
    func takeOrRefuse(for client: String, who: String = "this address", at now: Date = Date(), in transaction: any Database) async throws {
        guard let wait = try await take(for: client, at: now, in: transaction) else { return }
        let seconds = Int(wait.rounded(.up))
        throw Abort(
            .tooManyRequests, headers: ["Retry-After": String(seconds)],
            reason: "too many digits from \(who): at most \(perMinute) a minute; try again in \(seconds) s")
    }

    /// Takes a token for `client` inside the caller's write transaction; nil when it had one,
    /// else the seconds until it will.
    func take(for client: String, at now: Date, in transaction: any Database) async throws -> Double? {
        guard let sql = transaction as? any SQLDatabase else { return nil }
        let capacity = Double(perMinute)
        let perSecond = capacity / 60
        let time = now.timeIntervalSince1970
        // The bucket refilled to now, capped at `capacity`, in SQL both databases speak.
        let refilled: SQLQueryString =
            "CASE WHEN rate_limits.tokens + (\(bind: time) - rate_limits.updated_at) * \(bind: perSecond) < \(bind: capacity) THEN rate_limits.tokens + (\(bind: time) - rate_limits.updated_at) * \(bind: perSecond) ELSE \(bind: capacity) END"
        let statement: SQLQueryString = """
            INSERT INTO rate_limits (client, tokens, updated_at, taken) VALUES (\(bind: client), \(bind: capacity - 1), \(bind: time), \(bind: true)) \
            ON CONFLICT (client) DO UPDATE SET \
            tokens = CASE WHEN \(refilled) >= 1 THEN \(refilled) - 1 ELSE \(refilled) END, \
            taken = \(refilled) >= 1, updated_at = \(bind: time) \
            RETURNING tokens, taken
            """
        guard let row = try await sql.raw(statement).first() else { return nil }
        if try row.decode(column: "taken", as: Bool.self) { return nil }
        return (1 - (try row.decode(column: "tokens", as: Double.self))) / perSecond
    }

    /// Deletes the buckets untouched for a minute: they are full again.
    static func forgetFullBuckets(at now: Date = Date(), on database: any Database) async throws {
        guard database is any SQLDatabase else { return }
        let cutoff = now.timeIntervalSince1970 - 60
        try await database.writeTransaction { transaction in
            try await (transaction as? any SQLDatabase)?.raw("DELETE FROM rate_limits WHERE updated_at < \(bind: cutoff)").run()
        }
    }
}
