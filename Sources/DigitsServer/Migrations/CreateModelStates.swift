import Fluent

struct CreateModelStates: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("model_states")
            .id()
            .field("version", .int, .required)
            .unique(on: "version")
            .field("network", .string, .required)
            .field("train_accuracy", .double)
            .field("validation_accuracy", .double)
            .field("test_accuracy", .double)
            .field("people_accuracy", .double)
            .field("is_training", .bool, .required)
            .field("is_live", .bool, .required)
            .field("hyperparameters", .string, .required)
            .field("trained_on", .int, .required)
            .field("created_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("model_states").delete()
    }
}
