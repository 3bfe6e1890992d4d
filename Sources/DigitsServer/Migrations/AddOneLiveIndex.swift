import Fluent
import SQLKit

/// At most one live version, by a unique index as the one-training claim has: servers sharing
/// a database can no longer leave two live rows. A database that has two already (a promotion
/// and a rollback at once, on PostgreSQL, before this) keeps the newest live.
struct AddOneLiveIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw(
            "UPDATE model_versions SET is_live = false WHERE is_live AND version < (SELECT MAX(version) FROM model_versions WHERE is_live)"
        ).run()
        try await sql.raw("CREATE UNIQUE INDEX model_versions_one_live ON model_versions (is_live) WHERE is_live").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX model_versions_one_live").run()
    }
}
