import Fluent
import Foundation
import Vapor

/// A retraining's row from its claim to its end: claimed (or taken over), renewed while it
/// trains, asked to stop, and closed. The retrainer asks; only these functions write.
extension ModelVersions {
    /// What a claim is for.
    struct Claim: Sendable {
        /// The server that will train it; nil for a row a web server queues for the next trainer.
        let trainer: String?
        let lease: TrainingLease
        /// An admin's retrain-now: due however few new digits there are, and from scratch.
        let force: Bool
        /// New verified digits that make a retraining due (`RetrainingPolicy.every`).
        let every: Int
        /// The hyperparameters a version made by `method` records.
        let hyperparameters: @Sendable (RetrainingMethod) -> Hyperparameters
    }

    /// Claims a retraining: takes over a claim whose lease ran out, or, when none is training,
    /// inserts the next version's row if a retraining is due (or `force`d). Nil when there is
    /// nothing to claim, or another server (or request) won the claim first.
    func claim(_ claim: Claim) async throws -> ModelVersionRecord? {
        let now = Date()
        do {
            let (claimed, closed) = try await database.writeTransaction(locking: .trainingClaim) {
                database -> (ModelVersionRecord?, Set<Int>) in
                let closed = try await self.closeUnclosed(on: database)
                if let held = try await ModelVersionRecord.query(on: database).filter(\.$isTraining == true).first() {
                    return (try await self.takeOver(held, for: claim, at: now, on: database), closed)
                }
                let people = try await Self.peopleDigits(on: database)
                guard claim.force || Self.isDue(sinceLastClaim: people.sinceLastClaim, every: claim.every) else { return (nil, closed) }
                let record = ModelVersionRecord(
                    version: (try await ModelVersionRecord.query(on: database).max(\.$version) ?? 0) + 1,
                    hyperparameters: claim.hyperparameters(claim.force ? .fromScratch : .fineTune), peopleDigits: people.total)
                record.trainer = claim.trainer
                record.leaseExpiresAt = claim.trainer == nil ? nil : claim.lease.expiry(from: now)
                try await record.create(on: database)
                return (record, closed)
            }
            unclosed.subtract(closed)
            return claimed
        } catch {
            // Another server (or request) won the claim between our check and our insert.
            if try await ModelVersionRecord.query(on: database).filter(\.$isTraining == true).count() > 0 { return nil }
            throw error
        }
    }

    /// A row already training: nothing for a web server or while its lease holds; closed when
    /// an admin asked to cancel it while its trainer was not answering; else taken over.
    private func takeOver(_ held: ModelVersionRecord, for claim: Claim, at now: Date, on database: any Database) async throws
        -> ModelVersionRecord?
    {
        guard let trainer = claim.trainer, !TrainingLease.isAlive(held, at: now) else { return nil }
        if held.cancelRequested {
            held.finish(.cancelled, reason: "cancelled while its trainer was not answering")
            try await held.save(on: database)
            metrics.retrainingFinished(outcome: .cancelled)
            return nil
        }
        logger.notice(
            "retraining: taking over version \(held.version) \(held.trainer.map { "from \($0), whose lease ran out" } ?? "asked for on a web server")"
        )
        held.trainer = trainer
        held.leaseExpiresAt = claim.lease.expiry(from: now)
        held.trainingStatus = nil
        held.hyperparameters = claim.hyperparameters(held.method ?? .fineTune).json
        try await held.save(on: database)
        return held
    }

    /// Moves `lease` on `version` forward and records `status`, if its holder still holds it.
    func renew(_ version: Int, lease: TrainingLease, status: TrainingStatus?) async throws -> TrainingLease.Renewal {
        let (holder, expiry) = (lease.holder, lease.expiry())
        let statusJSON = status.flatMap(TrainingLease.encode)
        return try await database.writeTransaction(locking: .trainingClaim) { transaction in
            guard
                let record = try await ModelVersionRecord.query(on: transaction).filter(\.$version == version)
                    .filter(\.$isTraining == true).first(),
                record.trainer == holder
            else { return .lost }
            record.leaseExpiresAt = expiry
            if let statusJSON { record.trainingStatus = statusJSON }
            try await record.save(on: transaction)
            return .held(cancelRequested: record.cancelRequested)
        }
    }

    /// What asking a retraining to stop through its row did.
    enum StopRequest: Equatable {
        /// Its trainer will read the request at its next renewal (`version`).
        case requested(Int)
        /// No trainer had taken it yet: it is closed as cancelled.
        case closed(Int)
        /// It is being made live: too late to cancel.
        case tooLate(Int)
        case nothingTraining
    }

    /// Asks the retraining in training on any server to stop, through its row.
    func requestStop() async throws -> StopRequest {
        let request = try await database.writeTransaction(locking: .trainingClaim) { transaction -> StopRequest in
            guard let record = try await ModelVersionRecord.query(on: transaction).filter(\.$isTraining == true).first() else {
                return .nothingTraining
            }
            if TrainingLease.status(of: record).stage == .promoting { return .tooLate(record.version) }
            if record.trainer == nil {
                record.finish(.cancelled, reason: "cancelled before a trainer took it")
            } else {
                record.cancelRequested = true
            }
            try await record.save(on: transaction)
            return record.trainer == nil ? .closed(record.version) : .requested(record.version)
        }
        if case .closed = request { metrics.retrainingFinished(outcome: .cancelled) }
        return request
    }

    /// Closes the rows in `unclosed` inside the caller's transaction (a claim's).
    private func closeUnclosed(on transaction: any Database) async throws -> Set<Int> {
        let versions = unclosed
        guard !versions.isEmpty else { return [] }
        try await ModelVersionRecord.query(on: transaction).filter(\.$version ~~ Array(versions)).filter(\.$isTraining == true)
            .set(\.$isTraining, to: false).set(\.$outcome, to: .failed)
            .set(\.$reason, to: "its retraining ended but the database refused to record how").update()
        return versions
    }
}
