import Fluent
import Foundation
import NeuralNetwork
import Vapor

/// One retraining, as steps: plan → read → train → judge → conclude. Each step either hands
/// the next what it needs or ends the retraining with an outcome that `ModelVersions` records.
extension Retrainer {
    /// What a retraining will do, decided before it reads anything.
    struct Plan: Sendable {
        let method: RetrainingMethod
        /// MNIST as this process prepared it, read once for the whole retraining.
        let mnist: MNISTSets
        let live: Network
        let liveVersion: Int
        let options: TrainingOptions
        let run: TrainingRun
    }

    /// How a retraining ended before it reached the judge, or how the judge decided.
    enum Conclusion: Sendable {
        case promote(String, Network)
        case reject(String)
        case cancel(String)
        /// Passed, but waits for an admin's review (`CrowdCheck`).
        case hold(String)
    }

    /// When each step ended, for the log.
    struct Timings {
        let started = Date()
        var read = Date()
        var trained = Date()

        var summary: String {
            String(
                format: "%.2f s (reading %.2f s, training %.2f s, judging %.2f s)", Date().timeIntervalSince(started),
                read.timeIntervalSince(started), trained.timeIntervalSince(read), Date().timeIntervalSince(trained))
        }
    }

    func retrain(_ record: ModelVersionRecord) async {
        var timings = Timings()
        do {
            let plan = try await plan(record)
            let data = try await read(plan, version: record.version)
            timings.read = Date()
            progress.enter(.training)
            let trained = await train(plan, on: data)
            timings.trained = Date()
            let conclusion: Conclusion
            if let ended = ended(trained, plan: plan) {
                conclusion = ended
            } else {
                progress.enter(.judging)
                conclusion = try await judge(trained.network, plan: plan, data: data, record: record)
            }
            try await conclude(
                record, conclusion, plan: plan, log: "after \(timings.summary), \(plan.method.rawValue); \(data.peopleSummary)")
        } catch {
            logger.error("retraining: version \(record.version) failed: \(error)")
            await stopRenewing()
            await versions.close(record, outcome: .failed, reason: "\(error)")
        }
    }

    /// Plan: fine-tuning needs a live network of the shape and input the settings ask for; any
    /// other is replaced by one trained from scratch.
    func plan(_ record: ModelVersionRecord) async throws -> Plan {
        if let problem = settings.training.problem() { throw RetrainingError(problem) }
        guard let (live, liveVersion) = versions.live.current() else {
            throw RetrainingError("no model is live to start from and compare with")
        }
        let asked = record.method ?? .fineTune
        let method: RetrainingMethod =
            asked == .fineTune && live.sizes == settings.networkSizes && live.input == settings.input ? .fineTune : .fromScratch
        let mnist = try await self.mnist.sets(for: settings.input)
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
        return Plan(method: method, mnist: mnist, live: live, liveVersion: liveVersion, options: options, run: run)
    }

    /// Read: people's digits that count, beside the plan's MNIST.
    func read(_ plan: Plan, version: Int) async throws -> RetrainingData {
        let liveLearnedUpTo =
            try await ModelVersionRecord.summaries(on: bulkReads).filter(\.$version == plan.liveVersion).first()?.peopleDigits ?? 0
        return try await RetrainingData.load(
            method: plan.method, policy: settings.retraining, mnist: plan.mnist, seed: settings.seed &+ UInt64(version),
            changedAfter: liveLearnedUpTo, on: bulkReads)
    }

    /// Train, on a thread of its own: from scratch, or on from the live network.
    func train(_ plan: Plan, on data: RetrainingData) async -> (network: Network, summary: TrainingSummary) {
        let progress = progress
        return plan.method == .fineTune
            ? await plan.run.fineTune(plan.live, on: data.training) { progress.record($0) }
            : await plan.run.train(on: data.training, validation: data.mnist.validation) { progress.record($0) }
    }

    /// A training that was cancelled or diverged ends before the judge.
    func ended(_ trained: (network: Network, summary: TrainingSummary), plan: Plan) -> Conclusion? {
        if trained.summary.stopReason == .cancelled { return .cancel("cancelled after \(trained.summary.reports.count) epochs") }
        if let layer = trained.network.firstNonFiniteLayer {
            return .reject(
                "the training diverged: layer \(layer)'s weights are no longer finite numbers (a learning rate eta of \(plan.options.eta) is too large)"
            )
        }
        return nil
    }

    /// Judge: both networks scored on the same digits, the candidate's row filled in, and the
    /// promotion rule's verdict. The model file is written here too, off the cooperative pool:
    /// its JSON held up a thread that answers guesses at every promotion.
    func judge(_ network: Network, plan: Plan, data: RetrainingData, record: ModelVersionRecord) async throws -> Conclusion {
        let evaluation = try await BackgroundThread.run(named: "digits-judging") {
            Result {
                (
                    candidate: data.scores(of: network), live: data.scores(of: plan.live),
                    test: data.mnist.testAccuracy(of: network), train: network.evaluate(on: data.training).accuracy,
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
        record.hyperparameters = Hyperparameters(settings: settings, method: plan.method).json
        record.changes =
            VersionChanges(
                comparedWith: plan.liveVersion, live: evaluation.live, candidate: evaluation.candidate, learned: data.learnedPeople
            ).json
        let rule = PromotionRule(validationMargin: settings.retraining.validationMargin, classMargin: settings.retraining.classMargin)
        switch rule.judge(candidate: evaluation.candidate, live: evaluation.live) {
        case .promote(let reason):
            if let suspicion = data.suspicion { return .hold("\(suspicion) (\(reason), live is version \(plan.liveVersion))") }
            return .promote(reason + " (live was version \(plan.liveVersion))", network)
        case .reject(let reason): return .reject(reason)
        }
    }

    /// Conclude: the lease stops, and the row ends as the conclusion says. A cancel that
    /// arrived while the candidate was judged is honoured here; from the line that sets
    /// `isPromoting` on (no suspension between them) a cancel is refused in words instead.
    func conclude(_ record: ModelVersionRecord, _ conclusion: Conclusion, plan: Plan, log: String) async throws {
        await stopRenewing()
        var conclusion = conclusion
        if case .cancel = conclusion {
        } else if progress.isStopRequested {
            conclusion = .cancel("cancelled while it was being judged")
        }
        switch conclusion {
        case .promote(let reason, let network):
            isPromoting = true
            progress.enter(.promoting)
            try await versions.promote(record, network: network, reason: reason)
            logger.notice("retraining: version \(record.version) is live \(log): \(reason)")
        case .reject(let reason):
            await versions.close(record, outcome: .rejected, reason: reason)
            logger.notice("retraining: version \(record.version) rejected \(log): \(reason)")
        case .cancel(let reason):
            await versions.close(record, outcome: .cancelled, reason: reason)
            logger.notice("retraining: version \(record.version) \(reason)")
        case .hold(let reason):
            await versions.close(record, outcome: .held, reason: reason)
            logger.warning("retraining: version \(record.version) \(log): \(reason)")
        }
    }
}
