import Fluent
import Foundation
import NeuralNetwork
import Vapor

/// What the model endpoints and the due rule read of versions' rows, outside the actor.
extension ModelVersions {
    /// Version `version`'s row and its network: 404 for a version that does not exist, 409 for
    /// one without a trained network or whose stored network cannot be read.
    static func storedNetwork(of version: Int, on database: any Database) async throws -> (ModelVersionRecord, Network) {
        guard let record = try await ModelVersionRecord.query(on: database).filter(\.$version == version).first() else {
            throw Abort(.notFound, reason: "there is no model version \(version)")
        }
        guard !record.isTraining, !record.modelFile.isEmpty else {
            throw Abort(.conflict, reason: "version \(version) has no trained network (\(record.outcome?.rawValue ?? "training"))")
        }
        do {
            return (record, try ModelFile.decode(record.modelFile).network)
        } catch {
            throw Abort(.conflict, reason: "version \(version)'s stored network cannot be read: \(error)")
        }
    }

    /// How many verified digits people have stored, and how many since the last retraining
    /// was claimed.
    static func peopleDigits(on database: any Database) async throws -> (total: Int, sinceLastClaim: Int) {
        let total = try await DigitStore.count(from: .person, on: database)
        let counted = try await ModelVersionRecord.query(on: database).max(\.$peopleDigits) ?? 0
        return (total, total - counted)
    }

    /// The one rule that says a retraining is due: `every` verified digits stored since the
    /// last one was claimed.
    static func isDue(sinceLastClaim: Int, every: Int) -> Bool { sinceLastClaim >= every }

    /// Whether a retraining is due now.
    static func isRetrainingDue(every: Int, on database: any Database) async throws -> Bool {
        isDue(sinceLastClaim: try await peopleDigits(on: database).sinceLastClaim, every: every)
    }

    /// How many more verified digits make the next retraining due (0 while it is due).
    static func digitsUntilRetraining(every: Int, on database: any Database) async throws -> Int {
        // Clamped: digits deleted since the last claim would otherwise count past `every`.
        min(every, max(0, every - (try await peopleDigits(on: database).sinceLastClaim)))
    }

    /// The live version without its network, for the model endpoint.
    static func liveSummary(on database: any Database) async throws -> ModelVersionRecord? {
        try await ModelVersionRecord.summaries(on: database).filter(\.$isLive == true).first()
    }
}
