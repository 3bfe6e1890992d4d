import Fluent

/// Each version keeps what it changed against the live one it was judged with (`VersionChanges`).
struct AddVersionChanges: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("model_versions").field("changes", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("model_versions").deleteField("changes").update()
    }
}
