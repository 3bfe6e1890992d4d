import Fluent
import SQLKit

extension Database {
    /// A transaction that reads and then writes, safe against a concurrent one.
    ///
    /// SQLite's default transaction takes its write lock only at the first write: two that
    /// both read first then deadlock, and SQLite fails one at once with "database is locked".
    /// `BEGIN IMMEDIATE` takes the write lock up front, so the second waits for the first.
    /// Other databases use their ordinary transaction.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let sql = self as? any SQLDatabase, sql.dialect.name == "sqlite" else { return try await transaction(body) }
        return try await withConnection { connection in
            guard let sql = connection as? any SQLDatabase else { return try await body(connection) }
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
