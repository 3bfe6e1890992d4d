import Fluent
import SQLKit

/// The rate limits' buckets, one row per client, where every server on the database sees them
/// (`RateLimiter`).
struct AddRateLimits: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw(
            """
            CREATE TABLE rate_limits (client TEXT PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL, \
            updated_at DOUBLE PRECISION NOT NULL, taken BOOLEAN NOT NULL)
            """
        ).run()
        try await sql.raw("CREATE INDEX rate_limits_updated_at ON rate_limits (updated_at)").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP TABLE rate_limits").run()
    }
}
