import Fluent
import FluentSQLiteDriver
import Foundation
import SQLKit
import Testing
import Vapor

@testable import DigitsServer

/// A database made before the names were fixed (and before leases and contributors) keeps every row when it is migrated.
@Suite struct MigrationTests {
    @Test func renamingKeepsTheRowsOfAnOlderDatabase() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("digits-migration-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let app = try await Application.make(.testing)
        do {
            app.databases.use(.sqlite(.file(path)), as: .sqlite)
            app.migrations.add(CreateDigits(), CreateModelStates(), AddRetrainingColumns(), AddDigitIndexes(), AddIdempotencyKeys())
            try await app.autoMigrate()
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw(
                """
                INSERT INTO model_states (id, version, network, is_training, is_live, hyperparameters, trained_on, people_seen)
                VALUES ('6A3F6B5E-6F1C-4A57-9B41-6D1E1B8E1C01', 1, '{"sizes": [784, 10]}', 0, 1, '{}', 5, 3)
                """
            ).run()
            try await sql.raw(
                "INSERT INTO digits (id, pixels, label, is_training, source) VALUES ('6A3F6B5E-6F1C-4A57-9B41-6D1E1B8E1C02', x'00', 7, 0, 'person')"
            ).run()

            app.migrations.add(RenameMisleadingNames(), AddOneLiveIndex(), AddTrainingLeases(), AddRateLimits(), AddContributors())
            app.migrations.add(AddVersionChanges())
            try await app.autoMigrate()
            let version = try #require(try await ModelVersionRecord.query(on: app.db).first())
            #expect(version.modelFile == #"{"sizes": [784, 10]}"# && version.peopleDigits == 3 && version.isLive)
            #expect(version.trainer == nil && version.leaseExpiresAt == nil && !version.cancelRequested && version.changes == nil)
            let digit = try #require(try await DigitRecord.query(on: app.db).first())
            #expect(digit.label == 7 && !digit.inTrainingSet)
            #expect(digit.contributor == nil && digit.clientHash == nil && version.peopleHeldOut == nil)
            let secrets = try await sql.raw("SELECT value FROM server_secrets WHERE name = 'contributors'").all()
            #expect(try secrets.map { try $0.decode(column: "value", as: String.self).count } == [64])

            try await app.autoRevert()
            #expect(try await sql.raw("SELECT name FROM sqlite_master WHERE name = 'model_states'").all().isEmpty)
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}
