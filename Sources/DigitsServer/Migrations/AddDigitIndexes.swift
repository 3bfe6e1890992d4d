import Fluent
import SQLKit

/// Indexes for the questions asked on every stored digit and every model-panel refresh: how
/// many digits people have stored, and which are newest. Without them each count read the
/// whole 70,000-row table, pictures included (about 18 ms, inside the store's write lock).
struct AddDigitIndexes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX digits_source_created_at ON digits (source, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX digits_source_created_at").run()
    }
}
