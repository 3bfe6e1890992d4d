import Fluent
import Foundation
import NIOConcurrencyHelpers
import NeuralNetwork
import Vapor

/// Where a running retraining is, for the model endpoint and the page.
struct TrainingStatus: Content, Equatable {
    /// The version being trained.
    let version: Int
    /// Epochs finished so far, of `epochs`.
    var epoch: Int
    let epochs: Int
    /// How far training is, from 0 to 1.
    var progress: Double
    let startedAt: Date
    /// "reading" the digits, "training", "judging" the candidate against the live model, or
    /// "promoting" it (too late to cancel).
    var stage: String = "reading"
}

/// Retrains the network in the background after every `RetrainingPolicy.every` verified digits,
/// one retraining at a time, and swaps the new model in only when it is at least as good.
///
/// Guesses never wait for it: training runs on a thread of its own and `LiveModel` swaps the
/// network in one step. A retraining is claimed by inserting its model-state row, which a
/// unique index allows only while no other row is training, so two requests at the threshold,
/// or two servers on one database, start one retraining between them.
actor Retrainer {
    private let settings: ServerSettings
    private let database: any Database
    /// Where the retraining's bulk reads go: a connection of their own, so that reading 70,000
    /// rows never holds the one that stores and status requests on an event loop wait for.
    private let bulkReads: any Database
    private let live: LiveModel
    private let logger: Logger
    private let metrics: ServerMetrics
    /// Written by the training thread, read by requests.
    private let status = NIOLockedValueBox<TrainingStatus?>(nil)
    private let cancelRequested = NIOLockedValueBox(false)
    private var running: Task<Void, Never>?
    private var isClaiming = false
    private var claimAgain = false
    private var isShutDown = false
    /// Set once a judged version starts going live: from then on a cancel is refused.
    private var isPromoting = false
    /// Versions this process claimed whose rows it could not close (the database refused the
    /// write); the next claim closes them first, so one failed write never blocks every
    /// later retraining.
    private var unclosed: Set<Int> = []

    init(
        settings: ServerSettings, database: any Database, bulkReads: (any Database)? = nil, live: LiveModel, logger: Logger,
        metrics: ServerMetrics = ServerMetrics()
    ) {
        self.settings = settings
        self.metrics = metrics
        self.database = database
        self.bulkReads = bulkReads ?? database
        self.live = live
        self.logger = logger
    }

    /// The retraining in progress, if any.
    nonisolated var current: TrainingStatus? { status.withLockedValue { $0 } }

    /// Starts a retraining when enough new digits have been verified since the last one was
    /// claimed. Called after each stored digit, at start-up and after each retraining.
    /// Returns the version it started, if it started one.
    @discardableResult
    func considerRetraining() async -> Int? {
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

    /// Starts a retraining now, however few new digits there are; the version it will make,
    /// or nil when one is already running.
    func retrainNow() async throws -> Int? {
        try await claimAndStart(force: true)
    }

    /// What a cancel did.
    enum Cancellation: Equatable {
        /// The retraining of this version will stop at its next mini-batch, or before it is
        /// made live if it is being judged; the live model stays.
        case cancelling(Int)
        /// This version has been judged and is being made live: too late to cancel.
        case tooLate(Int)
        case nothingRunning
    }

    /// Asks the running retraining to stop. A version that is being judged is closed as
    /// cancelled before it can go live; one already going live is not stopped, and the
    /// answer says so.
    func cancel() -> Cancellation {
        guard running != nil, let version = current?.version else { return .nothingRunning }
        if isPromoting { return .tooLate(version) }
        cancelRequested.withLockedValue { $0 = true }
        return .cancelling(version)
    }

    /// Returns when no retraining runs (tests).
    func waitUntilIdle() async {
        while let task = running { await task.value }
    }

    /// Cancels the running retraining, waits for its row to be closed, and starts no other.
    func shutDown() async {
        isShutDown = true
        cancelRequested.withLockedValue { $0 = true }
        await waitUntilIdle()
    }

    /// How many more verified digits start the next retraining (0 while one is due or running).
    static func digitsUntilRetraining(every: Int, on database: any Database) async throws -> Int {
        // Clamped: digits deleted since the last claim would otherwise count past `every`.
        min(every, max(0, every - (try await verifiedDigits(on: database).sinceLastClaim)))
    }

    /// How many verified digits people have stored, and how many since the last retraining
    /// was claimed.
    private static func verifiedDigits(on database: any Database) async throws -> (total: Int, sinceLastClaim: Int) {
        let total = try await DigitStore.count(from: .person, on: database)
        let seen = try await ModelStateRecord.query(on: database).max(\.$peopleSeen) ?? 0
        return (total, total - seen)
    }

    private func claimAndStart(force: Bool) async throws -> Int? {
        guard running == nil, !isShutDown else { return nil }
        guard let record = try await claim(force: force) else { return nil }
        cancelRequested.withLockedValue { $0 = false }
        status.withLockedValue {
            $0 = TrainingStatus(version: record.version, epoch: 0, epochs: settings.training.epochs, progress: 0, startedAt: Date())
        }
        metrics.retrainingStarted()
        logger.info("retraining: version \(record.version) started (\(record.peopleSeen) verified digits so far)")
        running = Task {
            await self.retrain(record)
            await self.finished()
        }
        return record.version
    }

    private func finished() async {
        running = nil
        isPromoting = false
        status.withLockedValue { $0 = nil }
        // Digits stored during the run may already call for the next one.
        await considerRetraining()
    }

    /// Inserts the new version's row, marked as training, if a retraining is due and none runs.
    private func claim(force: Bool) async throws -> ModelStateRecord? {
        let every = settings.retraining.every
        let hyperparameters = Hyperparameters(settings: settings).json
        let unclosed = unclosed
        do {
            let claimed = try await database.writeTransaction { database -> ModelStateRecord? in
                if !unclosed.isEmpty {
                    try await ModelStateRecord.query(on: database).filter(\.$version ~~ Array(unclosed)).filter(\.$isTraining == true)
                        .set(\.$isTraining, to: false).set(\.$outcome, to: .failed)
                        .set(\.$reason, to: "its retraining ended but the database refused to record how").update()
                }
                if try await ModelStateRecord.query(on: database).filter(\.$isTraining == true).count() > 0 { return nil }
                let people = try await Self.verifiedDigits(on: database)
                guard force || people.sinceLastClaim >= every else { return nil }
                let record = ModelStateRecord()
                record.version = (try await ModelStateRecord.query(on: database).max(\.$version) ?? 0) + 1
                record.network = ""
                record.isTraining = true
                record.isLive = false
                record.hyperparameters = hyperparameters
                record.trainedOn = 0
                record.peopleSeen = people.total
                try await record.create(on: database)
                return record
            }
            self.unclosed.subtract(unclosed)
            return claimed
        } catch {
            // Another server (or request) won the claim between our check and our insert.
            if try await ModelStateRecord.query(on: database).filter(\.$isTraining == true).count() > 0 { return nil }
            throw error
        }
    }

    private func retrain(_ record: ModelStateRecord) async {
        let started = Date()
        do {
            if let problem = settings.training.problem() { throw RetrainingError(problem) }
            let data = try await RetrainingData.load(personWeight: settings.retraining.personWeight, on: bulkReads)
            let loaded = Date()
            status.withLockedValue { $0?.stage = "training" }
            let (network, summary) = await train(on: data)
            let trained = Date()
            if summary.stopReason == .cancelled {
                await close(record, outcome: .cancelled, reason: "cancelled after \(summary.reports.count) epochs")
                logger.notice("retraining: version \(record.version) cancelled")
                return
            }
            guard let (liveNetwork, liveVersion) = live.current() else { throw RetrainingError("no model is live to compare with") }
            status.withLockedValue { $0?.stage = "judging" }
            let evaluation = await BackgroundThread.run(named: "digits-judging") {
                (
                    candidate: data.scores(of: network), live: data.scores(of: liveNetwork),
                    test: network.evaluate(on: data.test).accuracy, train: network.evaluate(on: data.training).accuracy
                )
            }
            record.network = try ModelFile.encode(network)
            record.trainedOn = data.distinctTrainingDigits
            record.trainAccuracy = evaluation.train
            record.validationAccuracy = evaluation.candidate.validationAccuracy
            record.testAccuracy = evaluation.test
            record.peopleAccuracy = evaluation.candidate.peopleAccuracy
            let rule = PromotionRule(validationMargin: settings.retraining.validationMargin)
            let seconds = String(
                format: "%.1f s (reading %.1f s, training %.1f s, judging %.1f s)", Date().timeIntervalSince(started),
                loaded.timeIntervalSince(started), trained.timeIntervalSince(loaded), Date().timeIntervalSince(trained))
            // A cancel that arrived while the candidate was judged is honoured here; from the
            // next line on (no suspension between them) a cancel is refused in words instead.
            if cancelRequested.withLockedValue({ $0 }) {
                await close(record, outcome: .cancelled, reason: "cancelled while it was being judged")
                logger.notice("retraining: version \(record.version) cancelled while it was being judged")
                return
            }
            isPromoting = true
            status.withLockedValue { $0?.stage = "promoting" }
            switch rule.judge(candidate: evaluation.candidate, live: evaluation.live) {
            case .promote(let reason):
                try await promote(record, reason: reason + " (live was version \(liveVersion))")
                metrics.retrainingFinished(outcome: .promoted)
                live.replace(with: network, version: record.version)
                logger.notice("retraining: version \(record.version) is live after \(seconds): \(reason)")
            case .reject(let reason):
                await close(record, outcome: .rejected, reason: reason)
                logger.notice("retraining: version \(record.version) rejected after \(seconds): \(reason)")
            }
        } catch {
            logger.error("retraining: version \(record.version) failed: \(error)")
            await close(record, outcome: .failed, reason: "\(error)")
        }
    }

    /// Gradient descent on the training thread, reporting each epoch and heeding `cancel()`.
    private func train(on data: RetrainingData) async -> (Network, TrainingSummary) {
        let settings = settings
        let status = status
        let cancelRequested = cancelRequested
        return await BackgroundThread.run(named: "digits-retraining") {
            var generator = SeededGenerator(seed: settings.seed)
            var network = Network(sizes: settings.networkSizes, using: &generator)
            var options = settings.training
            options.threads = settings.retraining.threads
            let summary = network.train(on: data.training, validation: data.validation, options: options, using: &generator) { event in
                switch event {
                case .batches(let epoch, let done, let total):
                    status.withLockedValue {
                        $0?.progress = (Double(epoch - 1) + Double(done) / Double(max(1, total))) / Double(options.epochs)
                    }
                case .epochFinished(let report):
                    status.withLockedValue {
                        $0?.epoch = report.epoch
                        $0?.progress = Double(report.epoch) / Double(options.epochs)
                    }
                }
                return !cancelRequested.withLockedValue { $0 }
            }
            return (network, summary)
        }
    }

    /// Makes `record` the one live version, in one transaction.
    private func promote(_ record: ModelStateRecord, reason: String) async throws {
        try await database.writeTransaction { database in
            try await ModelStateRecord.unsetLive(on: database)
            record.isLive = true
            record.finish(.promoted, reason: reason)
            try await record.save(on: database)
        }
    }

    /// Records how a retraining ended, trying a few times; a row that still cannot be closed
    /// is remembered and closed by the next claim.
    private func close(_ record: ModelStateRecord, outcome: ModelOutcome, reason: String) async {
        metrics.retrainingFinished(outcome: outcome)
        record.finish(outcome, reason: reason)
        for wait in [0.05, 0.25, 1.0, nil] {
            do {
                try await database.writeTransaction { database in try await record.save(on: database) }
                return
            } catch {
                guard let wait else {
                    logger.error(
                        "retraining: version \(record.version) could not be closed as \(outcome.rawValue): \(error); the next retraining closes it"
                    )
                    unclosed.insert(record.version)
                    return
                }
                try? await Task.sleep(for: .seconds(wait))
            }
        }
    }
}
