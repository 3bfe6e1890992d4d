import Fluent

struct CreateDigits: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let source = try await database.enum("digit_source")
            .case(DigitSource.mnistTraining.rawValue).case(DigitSource.mnistValidation.rawValue)
            .case(DigitSource.mnistTest.rawValue).case(DigitSource.person.rawValue)
            .create()
        try await database.schema("digits")
            .id()
            .field("pixels", .data, .required)
            .field("label", .int, .required)
            .field("is_training", .bool, .required)
            .field("source", source, .required)
            .field("guessed_label", .int)
            .field("created_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("digits").delete()
        try await database.enum("digit_source").delete()
    }
}
