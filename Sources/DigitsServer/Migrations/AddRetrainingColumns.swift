import Fluent
import SQLKit

/// What retraining needs in the model-states table: how each version ended, how many
/// people's digits there were when it was claimed, and at most one version training at a time.
struct AddRetrainingColumns: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // SQLite adds one column per statement.
        try await database.schema("model_states").field("outcome", .string).update()
        try await database.schema("model_states").field("reason", .string).update()
        try await database.schema("model_states").field("people_seen", .int, .required, .sql(.default(0))).update()
        try await database.schema("model_states").field("finished_at", .datetime).update()
        guard let sql = database as? any SQLDatabase else { return }
        // The claim of a retraining is an insert that this index lets only one server, one
        // request, win: a second row with is_training set violates it.
        try await sql.raw(
            "CREATE UNIQUE INDEX model_states_one_training ON model_states (is_training) WHERE is_training"
        ).run()
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase { try await sql.raw("DROP INDEX model_states_one_training").run() }
        for field in ["finished_at", "people_seen", "reason", "outcome"] {
            try await database.schema("model_states").deleteField(.string(field)).update()
        }
    }
}
