import Fluent
import Foundation
import NeuralNetwork
import Vapor

/// The one owner of model versions' rows, from the claim to the end, and of which version is
/// live, in the database and in `LiveModel`. Rows are created, renewed and ended only here and
/// in `ModelVersions+Claims.swift`; every end is counted in `digits_retrainings_total`.
///
/// Every change of the live version (the first model at start-up, a promotion after a
/// retraining, an admin's rollback) is one `switchLive` step, and the steps run one at a
/// time, in the order they were asked for: the database transaction commits, then the
/// network is swapped in, then the next step may start. So the version answering guesses is
/// the one the database marks live, except for the moment between a commit and its swap.
/// (An actor alone would not do: it lets a second call in while the first awaits the database.)
///
/// Across servers on one database: each switch holds the database's live-version lock
/// (`WriteLock.liveVersion`) and a unique index allows one live row, so two servers switching
/// at once leave exactly one live version; `followDatabase`, run by a `PeriodicCheck` every
/// second and at once when another server's switch notifies (PostgreSQL), swaps in whatever
/// another server made live.
actor ModelVersions {
    let live: LiveModel
    let database: any Database
    let logger: Logger
    let metrics: ServerMetrics
    /// The last step asked for (a change of live version, or following the database); the
    /// next one waits for it.
    private let steps = AsyncTurn()
    /// Versions whose rows could not be closed (the database refused the write); the next
    /// claim closes them first, so one failed write never blocks every later retraining.
    var unclosed: Set<Int> = []

    init(database: any Database, live: LiveModel, logger: Logger, metrics: ServerMetrics) {
        self.database = database
        self.live = live
        self.logger = logger
        self.metrics = metrics
    }

    /// Makes sure a version is live: the stored live one on a restart, else version 1 made by
    /// `firstModel` (read from a file or trained), stored, and made live.
    ///
    /// Servers starting together on an empty database make one version 1 between them: on
    /// PostgreSQL the first to take `WriteLock.firstModel` trains it while the others wait,
    /// then find it; elsewhere the row is inserted only if no version is live by then, and a
    /// server that lost the race serves the winner's. The lock's connection comes from
    /// `sessionLocks`, a pool other than the one training reads through (a pool of one
    /// connection per event loop would otherwise wait on itself).
    ///
    /// A web server trains nothing, the first model included: without a model file it waits
    /// for a trainer to make version 1.
    func start(firstModel: FirstModel, role: ServerRole, sessionLocks: any Database) async throws {
        if try await startWithStoredVersion() { return }
        if !role.trains, case .trained = firstModel {
            logger.notice("no model is live yet: waiting for a trainer (digits serve --role trainer or all) to make the first one")
            while try await !startWithStoredVersion() { try await Task.sleep(for: .seconds(1)) }
            return
        }
        try await sessionLocks.holdingSessionLock(.firstModel) {
            if try await self.startWithStoredVersion() { return }
            try await self.makeFirstModel(firstModel)
        }
    }

    /// Serves the version the database marks live, if there is one.
    private func startWithStoredVersion() async throws -> Bool {
        guard let version = try await followDatabase() else { return false }
        logger.info("live model: version \(version)")
        return true
    }

    private func makeFirstModel(_ firstModel: FirstModel) async throws {
        let (network, made) = try await firstModel.make(on: database, logger: logger)
        let record = ModelVersionRecord(version: 1, hyperparameters: made.hyperparameters, peopleDigits: 0)
        record.modelFile = try ModelFile.encode(network)
        record.isLive = true
        record.trainedOn = made.trainedOn
        record.validationAccuracy = made.validationAccuracy
        record.testAccuracy = made.testAccuracy
        record.finish(.promoted, reason: firstModel.reason)
        let inserted = try await database.writeTransaction(locking: .liveVersion) { transaction in
            guard try await ModelVersionRecord.query(on: transaction).filter(\.$isLive == true).count() == 0 else { return false }
            try await record.create(on: transaction)
            return true
        }
        if inserted {
            try await switchLive(to: 1, network: network, write: nil)
            logger.info("live model: version 1")
        } else if let version = try await followDatabase() {
            logger.info("live model: version \(version), made by another server while this one trained")
        }
    }

    /// Makes a retraining's judged candidate the live version, its row closed as promoted.
    func promote(_ record: ModelVersionRecord, network: Network, reason: String) async throws {
        try await switchLive(to: record.version, network: network) { database in
            guard try await Self.stillHeld(record, on: database) else {
                throw Abort(.conflict, reason: "version \(record.version) was taken over by another trainer while this one judged it")
            }
            record.isLive = true
            record.finish(.promoted, reason: reason)
            try await record.save(on: database)
        }
        metrics.retrainingFinished(outcome: .promoted)
    }

    /// Makes an earlier version live again (an admin's rollback): 404 for a version that does
    /// not exist, 409 for one without a trained network.
    func rollBack(to version: Int) async throws -> ModelVersionRecord {
        let (record, network) = try await Self.storedNetwork(of: version, on: database)
        try await switchLive(to: version, network: network) { database in
            try await ModelVersionRecord.query(on: database).set(\.$isLive, to: true).filter(\.$version == version).update()
        }
        record.isLive = true
        return record
    }

    /// Records how a retraining that did not go live ended, trying a few times; a row that
    /// still cannot be closed is remembered in `unclosed` and closed by the next claim.
    func close(_ record: ModelVersionRecord, outcome: ModelOutcome, reason: String) async {
        metrics.retrainingFinished(outcome: outcome)
        record.finish(outcome, reason: reason)
        for wait in [0.05, 0.25, 1.0, nil] {
            do {
                let wasHeld = try await database.writeTransaction(locking: .trainingClaim) { database in
                    guard try await Self.stillHeld(record, on: database) else { return false }
                    try await record.save(on: database)
                    return true
                }
                if !wasHeld { logger.notice("version \(record.version) was taken over by another trainer; its row is left to it") }
                return
            } catch {
                guard let wait else {
                    logger.error(
                        "version \(record.version) could not be closed as \(outcome.rawValue): \(error); the next retraining closes it")
                    unclosed.insert(record.version)
                    return
                }
                try? await Task.sleep(for: .seconds(wait))
            }
        }
    }

    /// Whether `record`'s row is still training under the claim this server took for it: a
    /// trainer whose lease ran out and was taken over writes nothing more to it.
    private static func stillHeld(_ record: ModelVersionRecord, on database: any Database) async throws -> Bool {
        guard let row = try await ModelVersionRecord.query(on: database).filter(\.$version == record.version).first() else { return false }
        return row.isTraining && row.trainer == record.trainer
    }

    /// One change of live version: `write` (which marks `version` live in its row) and the
    /// unmarking of every other row in one transaction, then the swap, after the change
    /// asked for before it and before the one asked for after it. Without `write` the
    /// database already says `version` is live, and only the swap is left.
    func switchLive(
        to version: Int, network: Network, write: (@Sendable (any Database) async throws -> Void)?
    ) async throws {
        let (database, live) = (database, live)
        try await inTurn {
            if let write {
                try await database.writeTransaction(locking: .liveVersion) { transaction in
                    try await ModelVersionRecord.query(on: transaction).set(\.$isLive, to: false).filter(\.$isLive == true).update()
                    try await write(transaction)
                    // Other servers hear of it once this commits (PostgreSQL).
                    try await transaction.notify(.liveVersion)
                }
            }
            live.replace(with: network, version: version)
        }
    }

    /// Swaps in the version the database marks live when it is not the one in memory: at
    /// start-up, or what another server promoted or rolled back to. In turn with this server's
    /// own changes, so it never undoes a newer one. Returns the version it swapped in.
    @discardableResult
    func followDatabase() async throws -> Int? {
        let (database, live) = (database, live)
        return try await inTurn { () -> Int? in
            guard let summary = try await ModelVersions.liveSummary(on: database), summary.version != live.current()?.version,
                let record = try await ModelVersionRecord.query(on: database).filter(\.$version == summary.version).first()
            else { return nil }
            live.replace(with: try ModelFile.decode(record.modelFile).network, version: record.version)
            return record.version
        }
    }

    /// Runs `work` after every step asked for before it, and before any asked for after it.
    private func inTurn<Result: Sendable>(_ work: @escaping @Sendable () async throws -> Result) async throws -> Result {
        try await steps.run(work)
    }
}
