import Fluent
import SQLKit

/// How long a SQLite writer waits for another before it gives up.
let busyTimeoutMilliseconds = 5_000

extension Database {
    /// A transaction that reads and then writes, safe against a concurrent one.
    ///
    /// SQLite's default transaction takes its write lock only at the first write: two that
    /// both read first then deadlock, and SQLite fails one at once with "database is locked".
    /// `BEGIN IMMEDIATE` takes the write lock up front, so the second waits for the first.
    /// Other databases use their ordinary transaction.
    ///
    /// sqlite-nio's busy handler retries for ever; `busy_timeout` replaces it on the
    /// connection (set on each transaction, since the pool gives no hook for a new connection),
    /// so a writer stuck behind another fails after `busyTimeoutMilliseconds` instead.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let sql = self as? any SQLDatabase, sql.dialect.name == "sqlite" else { return try await transaction(body) }
        return try await withConnection { connection in
            guard let sql = connection as? any SQLDatabase else { return try await body(connection) }
            try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(busyTimeoutMilliseconds))").run()
            try await sql.raw("BEGIN IMMEDIATE TRANSACTION").run()
            do {
                let result = try await body(connection)
                try await sql.raw("COMMIT TRANSACTION").run()
                return result
            } catch {
                try? await sql.raw("ROLLBACK TRANSACTION").run()
                throw error
            }
        }
    }
}
