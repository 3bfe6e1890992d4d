import Fluent
import Foundation
import NeuralNetwork
import Vapor

/// Retrains the network in the background after every `RetrainingPolicy.every` verified digits,
/// one retraining at a time across every server on the database, and swaps the new model in
/// only when it is at least as good.
///
/// It schedules, trains and cancels; `ModelVersions` writes every row (the claim, its
/// renewals, its end) and makes a promoted candidate live. One retraining's steps are in
/// `Retrainer+Steps.swift`. Guesses never wait for it: training runs on a thread of its
/// own (`TrainingRun`). A retraining is claimed by inserting its version's row, which a
/// unique index allows only while no other row is training, so two requests at the threshold,
/// or two servers on one database, start one retraining between them. The claim is a lease
/// (`TrainingLease`): its trainer renews it while it trains, and a claim whose lease ran out
/// (its trainer died) is taken over by the next trainer that looks.
///
/// On a web server (`ServerRole.web`) it trains nothing: a retraining asked for there is a
/// row no trainer holds yet, which the next trainer to look takes; a cancel asked for there
/// is written into the row for the trainer to read at its next renewal.
actor Retrainer {
    let settings: ServerSettings
    private let database: any Database
    /// Where the retraining's bulk reads go: a connection of their own, so that reading 70,000
    /// rows never holds the one that stores and status requests on an event loop wait for.
    let bulkReads: any Database
    let versions: ModelVersions
    let logger: Logger
    private let metrics: ServerMetrics
    let lease: TrainingLease
    let progress = RetrainingProgress()
    /// MNIST as retrainings read it, shared with the first model.
    let mnist: MNISTCache
    private var running: Task<Void, Never>?
    private var renewing: Task<Void, Never>?
    private var isClaiming = false
    private var claimAgain = false
    private var isShutDown = false
    /// Set once a judged version starts going live: from then on a cancel is refused.
    var isPromoting = false

    init(
        settings: ServerSettings, database: any Database, bulkReads: (any Database)? = nil, versions: ModelVersions, logger: Logger,
        metrics: ServerMetrics, holder: String, mnist: MNISTCache? = nil
    ) {
        self.settings = settings
        self.metrics = metrics
        self.database = database
        self.bulkReads = bulkReads ?? database
        self.versions = versions
        self.logger = logger
        self.mnist = mnist ?? MNISTCache(database: bulkReads ?? database)
        lease = TrainingLease(holder: holder, duration: settings.retraining.leaseSeconds)
    }

    /// The retraining this server runs, if any.
    nonisolated var current: TrainingStatus? { progress.current }

    /// Starts a retraining when enough new digits have been verified since the last one was
    /// claimed, or takes over one whose trainer stopped renewing its lease. Called after a
    /// stored digit that made one due, at start-up, after each retraining, and by `lookForWork`. Returns the
    /// version it started.
    @discardableResult
    func considerRetraining() async -> Int? {
        guard settings.role.trains else { return nil }
        // Requests arriving while a claim is in flight ask for one more look instead of
        // racing it to the database.
        if isClaiming {
            claimAgain = true
            return nil
        }
        isClaiming = true
        var started: Int?
        repeat {
            claimAgain = false
            do {
                started = try await claimAndStart(force: false) ?? started
            } catch {
                logger.error("could not start a retraining: \(error)")
            }
        } while claimAgain
        isClaiming = false
        return started
    }

    /// What `PeriodicCheck` runs every second on a server that trains: a read for work (a
    /// claim whose lease ran out; with `dueDigits`, enough new digits), and a claim only when
    /// it finds some, so that the check writes nothing while there is nothing to do and never
    /// takes the claim a stored digit's own `considerRetraining` is about to make.
    func lookForWork(dueDigits: Bool) async throws {
        guard settings.role.trains, running == nil, !isShutDown, !isClaiming else { return }
        if let training = try await ModelVersionRecord.summaries(on: database).filter(\.$isTraining == true).first() {
            guard !TrainingLease.isAlive(training) else { return }
        } else {
            guard dueDigits, try await ModelVersions.isRetrainingDue(every: settings.retraining.every, on: database) else { return }
        }
        await considerRetraining()
    }

    /// Starts a retraining now, however few new digits there are; the version it will make,
    /// or nil when one is already running. On a web server the version waits for a trainer.
    func retrainNow() async throws -> Int? {
        guard settings.role.trains else {
            guard let queued = try await versions.claim(claim(force: true, trainer: nil)) else { return nil }
            try? await database.notify(.work)
            return queued.version
        }
        return try await claimAndStart(force: true)
    }

    /// What a cancel did.
    enum Cancellation: Equatable {
        /// The retraining of this version will stop at its next mini-batch (on another server,
        /// at its trainer's next renewal), or before it is made live if it is being judged;
        /// the live model stays.
        case cancelling(Int)
        /// This version has been judged and is being made live: too late to cancel.
        case tooLate(Int)
        case nothingRunning
    }

    /// Asks the running retraining, on this server or another, to stop. A version that is
    /// being judged is closed as cancelled before it can go live; one already going live is
    /// not stopped, and the answer says so.
    func cancel() async throws -> Cancellation {
        if running != nil, let version = current?.version {
            if isPromoting { return .tooLate(version) }
            progress.requestStop()
            return .cancelling(version)
        }
        switch try await versions.requestStop() {
        case .requested(let version), .closed(let version): return .cancelling(version)
        case .tooLate(let version): return .tooLate(version)
        case .nothingTraining: return .nothingRunning
        }
    }

    /// Reads MNIST for the retrainings ahead of the first one (on a server that trains), so that
    /// the first retraining goes live as fast as the others instead of reading and deskewing
    /// MNIST first.
    func prepare() async {
        guard settings.role.trains else { return }
        do {
            _ = try await mnist.sets(for: settings.input)
        } catch {
            logger.warning("could not read MNIST ahead of the first retraining (it will try again): \(error)")
        }
    }

    /// Returns when no retraining runs or is being claimed (tests): a claim in flight, say a
    /// stored digit's while the last retraining finished, is about to start one.
    func waitUntilIdle() async {
        while true {
            if let task = running {
                await task.value
            } else if isClaiming {
                try? await Task.sleep(for: .milliseconds(5))
            } else {
                return
            }
        }
    }

    /// Cancels the running retraining, waits for its row to be closed, and starts no other.
    func shutDown() async {
        isShutDown = true
        progress.requestStop()
        await waitUntilIdle()
    }

    private func claimAndStart(force: Bool) async throws -> Int? {
        guard running == nil, !isShutDown else { return nil }
        guard let record = try await versions.claim(claim(force: force, trainer: lease.holder)) else { return nil }
        let epochs = record.storedHyperparameters?.epochs ?? settings.training.epochs
        progress.started(TrainingStatus(version: record.version, epoch: 0, epochs: epochs, progress: 0, startedAt: Date()))
        metrics.retrainingStarted()
        logger.info("retraining: version \(record.version) started (\(record.peopleDigits) verified digits so far)")
        let version = record.version
        renewing = Task { await self.renewLease(of: version) }
        running = Task {
            await self.retrain(record)
            await self.finished()
        }
        return record.version
    }

    private func finished() async {
        await stopRenewing()
        running = nil
        isPromoting = false
        progress.finished()
        // Digits stored during the run may already call for the next one.
        await considerRetraining()
    }

    /// Renews this server's lease on `version` until `stopRenewing`, passing on a cancel asked
    /// for on another server; a lease found taken over stops the training.
    private func renewLease(of version: Int) async {
        var failing = false
        while !Task.isCancelled {
            try? await Task.sleep(for: lease.renewEvery)
            guard !Task.isCancelled else { return }
            do {
                switch try await versions.renew(version, lease: lease, status: progress.current) {
                case .held(let cancelRequested):
                    if cancelRequested, !isPromoting { progress.requestStop() }
                case .lost:
                    logger.warning("retraining: version \(version) was taken over by another trainer; this one stops")
                    progress.requestStop()
                    return
                }
                failing = false
            } catch {
                if !failing { logger.warning("retraining: could not renew the lease on version \(version) (tries again): \(error)") }
                failing = true
            }
        }
    }

    /// Stops renewing before the row is closed, so that no renewal lands after it.
    func stopRenewing() async {
        renewing?.cancel()
        await renewing?.value
        renewing = nil
    }

    /// A claim for `trainer` (nil: a row for the next trainer to take); an admin's retrain-now
    /// (`force`) trains from scratch, the retraining after every few digits fine-tunes.
    private func claim(force: Bool, trainer: String?) -> ModelVersions.Claim {
        let settings = settings
        return ModelVersions.Claim(
            trainer: trainer, lease: lease, force: force, every: settings.retraining.every,
            hyperparameters: { Hyperparameters(settings: settings, method: $0) })
    }
}
