import Fluent
import SQLKit

/// Names that say what they hold: the table of model versions is `model_versions` (the API
/// calls them versions), its `network` column holds a model file's text (`model_file`), its
/// `people_seen` is the count the API calls `peopleDigits`, and a digit's `is_training`, which
/// read like "being trained now", is `in_training_set`. Renames keep every row and index.
struct RenameMisleadingNames: AsyncMigration {
    static let renames: [(table: String, from: String, to: String)] = [
        ("model_versions", "network", "model_file"),
        ("model_versions", "people_seen", "people_digits"),
        ("digits", "is_training", "in_training_set"),
    ]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE model_states RENAME TO model_versions").run()
        for rename in Self.renames {
            try await sql.raw("ALTER TABLE \(unsafeRaw: rename.table) RENAME COLUMN \(unsafeRaw: rename.from) TO \(unsafeRaw: rename.to)")
                .run()
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for rename in Self.renames.reversed() {
            try await sql.raw("ALTER TABLE \(unsafeRaw: rename.table) RENAME COLUMN \(unsafeRaw: rename.to) TO \(unsafeRaw: rename.from)")
                .run()
        }
        try await sql.raw("ALTER TABLE model_versions RENAME TO model_states").run()
    }
}
