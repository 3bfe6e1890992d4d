import Fluent

/// A retraining's claim becomes a lease its trainer renews (`TrainingLease`), and the row
/// carries what every server shows of it: the trainer's status and an admin's cancel.
struct AddTrainingLeases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // SQLite adds one column per statement.
        try await database.schema("model_versions").field("trainer", .string).update()
        try await database.schema("model_versions").field("lease_expires_at", .datetime).update()
        try await database.schema("model_versions").field("training_status", .string).update()
        try await database.schema("model_versions").field("cancel_requested", .bool, .required, .sql(.default(false))).update()
    }

    func revert(on database: any Database) async throws {
        for field in ["cancel_requested", "training_status", "lease_expires_at", "trainer"] {
            try await database.schema("model_versions").deleteField(.string(field)).update()
        }
    }
}
