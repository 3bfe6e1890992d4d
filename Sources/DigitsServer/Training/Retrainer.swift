import Fluent
import Foundation
import NeuralNetwork
import Vapor

/// Retrains the network in the background after every `RetrainingPolicy.every` verified digits,
/// one retraining at a time across every server on the database, and swaps the new model in
/// only when it is at least as good.
///
/// It claims, schedules and cancels; `ModelVersions` makes a promoted candidate live and
/// closes the rows of the others. Guesses never wait for it: training runs on a thread of its
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
    private let settings: ServerSettings
    private let database: any Database
    /// Where the retraining's bulk reads go: a connection of their own, so that reading 70,000
    /// rows never holds the one that stores and status requests on an event loop wait for.
    private let bulkReads: any Database
    private let versions: ModelVersions
    private let logger: Logger
    private let metrics: ServerMetrics
    let lease: TrainingLease
    private let progress = RetrainingProgress()
    private var running: Task<Void, Never>?
    private var renewing: Task<Void, Never>?
    private var isClaiming = false
    private var claimAgain = false
    private var isShutDown = false
    /// Set once a judged version starts going live: from then on a cancel is refused.
    private var isPromoting = false
    /// MNIST as retrainings read it, loaded by the first one.
    private var mnist: MNISTSets?

    init(
        settings: ServerSettings, database: any Database, bulkReads: (any Database)? = nil, versions: ModelVersions, logger: Logger,
        metrics: ServerMetrics, holder: String
    ) {
        self.settings = settings
        self.metrics = metrics
        self.database = database
        self.bulkReads = bulkReads ?? database
        self.versions = versions
        self.logger = logger
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
            guard dueDigits, try await ModelVersions.peopleDigits(on: database).sinceLastClaim >= settings.retraining.every else { return }
        }
        await considerRetraining()
    }

    /// Starts a retraining now, however few new digits there are; the version it will make,
    /// or nil when one is already running. On a web server the version waits for a trainer.
    func retrainNow() async throws -> Int? {
        guard settings.role.trains else {
            guard let queued = try await claim(force: true, forTrainer: nil) else { return nil }
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
        return try await database.writeTransaction(locking: .trainingClaim) { transaction -> Cancellation in
            guard let record = try await ModelVersionRecord.query(on: transaction).filter(\.$isTraining == true).first() else {
                return .nothingRunning
            }
            if record.trainer == nil {
                record.finish(.cancelled, reason: "cancelled before a trainer took it")
            } else if TrainingLease.status(of: record).stage == "promoting" {
                return .tooLate(record.version)
            } else {
                record.cancelRequested = true
            }
            try await record.save(on: transaction)
            return .cancelling(record.version)
        }
    }

    /// MNIST as retrainings read it: read and prepared once, by the first retraining or by
    /// `prepare` at start-up, whichever comes first.
    private func mnistSets() async throws -> MNISTSets {
        if let mnist, mnist.input == settings.input { return mnist }
        let loaded = try await MNISTSets.load(input: settings.input, on: bulkReads)
        mnist = loaded
        return loaded
    }

    /// Reads MNIST for the retrainings ahead of the first one (on a server that trains), so that
    /// the first retraining goes live as fast as the others: it took 1.2 s of reading and
    /// deskewing otherwise.
    func prepare() async {
        guard settings.role.trains else { return }
        do {
            _ = try await mnistSets()
        } catch {
            logger.warning("could not read MNIST ahead of the first retraining (it will try again): \(error)")
        }
    }

    /// Returns when no retraining runs (tests).
    func waitUntilIdle() async {
        while let task = running { await task.value }
    }

    /// Cancels the running retraining, waits for its row to be closed, and starts no other.
    func shutDown() async {
        isShutDown = true
        progress.requestStop()
        await waitUntilIdle()
    }

    private func claimAndStart(force: Bool) async throws -> Int? {
        guard running == nil, !isShutDown else { return nil }
        guard let record = try await claim(force: force, forTrainer: lease.holder) else { return nil }
        let epochs = (try? Hyperparameters(json: record.hyperparameters))?.epochs ?? settings.training.epochs
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
                switch try await lease.renew(version: version, status: progress.current, on: database) {
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
    private func stopRenewing() async {
        renewing?.cancel()
        await renewing?.value
        renewing = nil
    }

    /// Claims a retraining for `trainer` (nil: a row for the next trainer to take): takes over
    /// a claim whose lease ran out, or, when none is training, inserts the next version's row
    /// if a retraining is due (or `force`d).
    private func claim(force: Bool, forTrainer trainer: String?) async throws -> ModelVersionRecord? {
        let every = settings.retraining.every
        // An admin's retrain-now trains from scratch; the retraining after every few digits fine-tunes.
        let hyperparameters = Hyperparameters(settings: settings, method: force ? .fromScratch : .fineTune).json
        let settings = settings
        let (versions, lease, logger) = (versions, lease, logger)
        let now = Date()
        do {
            let (claimed, closed) = try await database.writeTransaction(locking: .trainingClaim) {
                database -> (ModelVersionRecord?, Set<Int>) in
                let closed = try await versions.closeUnclosed(on: database)
                if let held = try await ModelVersionRecord.query(on: database).filter(\.$isTraining == true).first() {
                    guard let trainer, !TrainingLease.isAlive(held, at: now) else { return (nil, closed) }
                    if held.cancelRequested {
                        held.finish(.cancelled, reason: "cancelled while its trainer was not answering")
                        try await held.save(on: database)
                        return (nil, closed)
                    }
                    logger.notice(
                        "retraining: taking over version \(held.version) \(held.trainer.map { "from \($0), whose lease ran out" } ?? "asked for on a web server")"
                    )
                    held.trainer = trainer
                    held.leaseExpiresAt = lease.expiry(from: now)
                    held.trainingStatus = nil
                    let method = (try? Hyperparameters(json: held.hyperparameters)).flatMap { $0.method.flatMap(RetrainingMethod.init) }
                    held.hyperparameters = Hyperparameters(settings: settings, method: method ?? .fineTune).json
                    try await held.save(on: database)
                    return (held, closed)
                }
                let people = try await ModelVersions.peopleDigits(on: database)
                guard force || people.sinceLastClaim >= every else { return (nil, closed) }
                let record = ModelVersionRecord()
                record.version = (try await ModelVersionRecord.query(on: database).max(\.$version) ?? 0) + 1
                record.modelFile = ""
                record.isTraining = true
                record.isLive = false
                record.hyperparameters = hyperparameters
                record.trainedOn = 0
                record.peopleDigits = people.total
                record.trainer = trainer
                record.leaseExpiresAt = trainer == nil ? nil : lease.expiry(from: now)
                record.cancelRequested = false
                try await record.create(on: database)
                return (record, closed)
            }
            await versions.closed(closed)
            return claimed
        } catch {
            // Another server (or request) won the claim between our check and our insert.
            if try await ModelVersionRecord.query(on: database).filter(\.$isTraining == true).count() > 0 { return nil }
            throw error
        }
    }

    private func retrain(_ record: ModelVersionRecord) async {
        let started = Date()
        do {
            if let problem = settings.training.problem() { throw RetrainingError(problem) }
            guard let (liveNetwork, liveVersion) = versions.live.current() else {
                throw RetrainingError("no model is live to start from and compare with")
            }
            let asked = (try? Hyperparameters(json: record.hyperparameters))?.method.flatMap(RetrainingMethod.init) ?? .fineTune
            // Fine-tuning needs a live network of the shape and input the settings ask for;
            // any other is replaced by one trained from scratch.
            let method: RetrainingMethod =
                asked == .fineTune && liveNetwork.sizes == settings.networkSizes && liveNetwork.input == settings.input
                ? .fineTune : .fromScratch
            let mnist = try await mnistSets()
            let liveLearnedUpTo =
                try await ModelVersionRecord.summaries(on: database).filter(\.$version == liveVersion).first()?.peopleDigits ?? 0
            let data = try await RetrainingData.load(
                method: method, policy: settings.retraining, mnist: mnist, seed: settings.seed &+ UInt64(record.version),
                changedAfter: liveLearnedUpTo, on: bulkReads)
            let loaded = Date()
            progress.enter(stage: "training")
            var options = settings.training
            options.threads = settings.retraining.threads
            if method == .fineTune {
                options.epochs = settings.retraining.fineTuneEpochs
                options.eta = settings.retraining.fineTuneEta
                // The weight decay of the 50,000 digits the network was trained on, not of the few hundred it is tuned on.
                options.regularisationSetSize = mnist.trainingCount
            }
            let run = TrainingRun(
                sizes: settings.networkSizes, input: settings.input, options: options, seed: settings.seed &+ UInt64(record.version))
            let progress = progress
            let (network, summary) =
                method == .fineTune
                ? await run.fineTune(liveNetwork, on: data.training) { progress.record($0) }
                : await run.train(on: data.training, validation: data.mnist.validation) { progress.record($0) }
            let trained = Date()
            if summary.stopReason == .cancelled {
                await stopRenewing()
                await versions.close(record, outcome: .cancelled, reason: "cancelled after \(summary.reports.count) epochs")
                logger.notice("retraining: version \(record.version) cancelled")
                return
            }
            if let layer = network.firstNonFiniteLayer {
                await stopRenewing()
                let reason =
                    "the training diverged: layer \(layer)'s weights are no longer finite numbers (a learning rate eta of \(options.eta) is too large)"
                await versions.close(record, outcome: .rejected, reason: reason)
                logger.notice("retraining: version \(record.version) rejected: \(reason)")
                return
            }
            progress.enter(stage: "judging")
            // The model file is written here too: 10 ms of JSON for 784-30-10 on the cooperative
            // pool held up one guess thread at every promotion.
            let evaluation = try await BackgroundThread.run(named: "digits-judging") {
                Result {
                    (
                        candidate: data.scores(of: network), live: data.scores(of: liveNetwork),
                        test: data.testAccuracy(of: network), train: network.evaluate(on: data.training).accuracy,
                        modelFile: try ModelFile.encode(network)
                    )
                }
            }.get()
            record.modelFile = evaluation.modelFile
            record.trainedOn = data.distinctTrainingDigits
            record.trainAccuracy = evaluation.train
            record.validationAccuracy = evaluation.candidate.validationAccuracy
            record.testAccuracy = evaluation.test
            record.peopleAccuracy = evaluation.candidate.peopleAccuracy
            record.peopleHeldOut = evaluation.candidate.peopleRight.count
            record.hyperparameters = Hyperparameters(settings: settings, method: method).json
            let rule = PromotionRule(validationMargin: settings.retraining.validationMargin, classMargin: settings.retraining.classMargin)
            let seconds = String(
                format: "%.2f s, \(method.rawValue) (reading %.2f s, training %.2f s, judging %.2f s)", Date().timeIntervalSince(started),
                loaded.timeIntervalSince(started), trained.timeIntervalSince(loaded), Date().timeIntervalSince(trained))
            // A cancel that arrived while the candidate was judged is honoured here; from the
            // next line on (no suspension between them) a cancel is refused in words instead.
            await stopRenewing()
            if progress.isStopRequested {
                await versions.close(record, outcome: .cancelled, reason: "cancelled while it was being judged")
                logger.notice("retraining: version \(record.version) cancelled while it was being judged")
                return
            }
            isPromoting = true
            progress.enter(stage: "promoting")
            switch rule.judge(candidate: evaluation.candidate, live: evaluation.live) {
            case .promote(let reason):
                try await versions.promote(record, network: network, reason: reason + " (live was version \(liveVersion))")
                logger.notice("retraining: version \(record.version) is live after \(seconds): \(reason); \(data.peopleSummary)")
            case .reject(let reason):
                await versions.close(record, outcome: .rejected, reason: reason)
                logger.notice("retraining: version \(record.version) rejected after \(seconds): \(reason); \(data.peopleSummary)")
            }
        } catch {
            logger.error("retraining: version \(record.version) failed: \(error)")
            await stopRenewing()
            await versions.close(record, outcome: .failed, reason: "\(error)")
        }
    }
}
