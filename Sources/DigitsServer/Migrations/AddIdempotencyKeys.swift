import Fluent
import SQLKit

/// The key a client may send with a store (`Idempotency-Key`), so that a store retried after
/// a lost response stores the digit once. Unique, so that two retries racing each other on
/// PostgreSQL's READ COMMITTED cannot both insert; rows without a key are not constrained.
struct AddIdempotencyKeys: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("digits").field("idempotency_key", .string).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE UNIQUE INDEX digits_idempotency_key ON digits (idempotency_key)").run()
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase { try await sql.raw("DROP INDEX digits_idempotency_key").run() }
        try await database.schema("digits").deleteField("idempotency_key").update()
    }
}
