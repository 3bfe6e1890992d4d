import Fluent
import Foundation
import SQLKit

/// Every person's digit records who gave it (`Contributors`); a version records how many held-out digits its people's accuracy rests on;
/// and the database keeps the secret that signs contributor ids and hides addresses, so that
/// every server sharing it issues and reads the same ids.
struct AddContributors: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // SQLite adds one column per statement.
        try await database.schema("digits").field("contributor", .string).update()
        try await database.schema("digits").field("client_hash", .string).update()
        try await database.schema("model_versions").field("people_held_out", .int).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX digits_contributor ON digits (contributor)").run()
        try await sql.raw("CREATE TABLE server_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)").run()
        let secret = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        try await sql.raw("INSERT INTO server_secrets (name, value) VALUES ('contributors', \(bind: secret))").run()
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.raw("DROP TABLE server_secrets").run()
            try await sql.raw("DROP INDEX digits_contributor").run()
        }
        try await database.schema("model_versions").deleteField("people_held_out").update()
        for field in ["client_hash", "contributor"] {
            try await database.schema("digits").deleteField(.string(field)).update()
        }
    }
}
