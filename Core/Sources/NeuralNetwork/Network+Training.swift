extension Network {
    /// Trains by mini-batch stochastic gradient descent (network2's `SGD`).
    ///
    /// Each epoch shuffles the training data with `generator`, takes a gradient step per
    /// mini-batch (the last one may be smaller), then evaluates on `validation` (and on the
    /// training data if asked). Unlike network2, nothing is printed: `progress` hears about
    /// batches and epochs, and returns `false` to cancel, keeping the weights trained so far
    /// (or the best so far, with a validation set).
    @discardableResult
    public mutating func train(
        on training: Samples, validation: Samples? = nil, options: TrainingOptions,
        using generator: inout some RandomNumberGenerator,
        progress: (TrainingProgress) -> Bool = { _ in true }
    ) -> TrainingSummary {
        if let problem = options.problem() { preconditionFailure(problem) }
        precondition(!training.isEmpty, "cannot train on an empty set")
        precondition(training.inputSize == inputSize, "training inputs of \(training.inputSize) values for a network reading \(inputSize)")
        precondition(
            training.labels.allSatisfy { Int($0) < outputSize },
            "a training label lies outside 0..<\(outputSize)")

        var tracker = PlateauTracker(options: options)
        var reports: [EpochReport] = []
        var best: (epoch: Int, network: Network)? = nil
        var order = Array(0..<training.count)
        let runner = MiniBatchRunner(
            network: self, batchCapacity: options.miniBatchSize, threadCount: options.threadCount(for: sizes))
        var stopReason = StopReason.completedEpochs

        epochs: for epoch in 1...options.epochs {
            order.fisherYatesShuffle(using: &generator)
            let started = MonotonicClock.now()
            let finished = runEpoch(
                epoch, runner: runner, training: training, order: order, eta: tracker.eta, options: options, progress: progress)
            let seconds = MonotonicClock.seconds(since: started)
            runner.parameters.store(into: &self)
            let report = EpochReport(
                epoch: epoch, eta: tracker.eta, trainingSeconds: seconds,
                training: options.monitorsTrainingSet ? evaluate(on: training, lambda: options.lambda) : nil,
                validation: validation.map { evaluate(on: $0, lambda: options.lambda) })
            reports.append(report)
            let keepGoing = progress(.epochFinished(report))
            if let accuracy = report.validation?.accuracy {
                if best == nil || accuracy > tracker.bestAccuracy { best = (epoch, self) }
                if let reason = tracker.record(accuracy: accuracy) {
                    stopReason = reason
                    break epochs
                }
            }
            if !finished || !keepGoing {
                stopReason = .cancelled
                break epochs
            }
        }
        if let best { self = best.network }
        return TrainingSummary(
            reports: reports, keptEpoch: best?.epoch ?? reports.count, stopReason: stopReason)
    }

    /// One pass over the training data in `order`; false when `progress` asked to stop.
    private func runEpoch(
        _ epoch: Int, runner: MiniBatchRunner, training: Samples, order: [Int], eta: Float,
        options: TrainingOptions, progress: (TrainingProgress) -> Bool
    ) -> Bool {
        // Report about a hundred times an epoch: often enough for a live bar, rarely enough
        // to cost nothing.
        let batchCount = (order.count + options.miniBatchSize - 1) / options.miniBatchSize
        let reportEvery = max(1, batchCount / 100)
        return training.inputs.withUnsafeBufferPointer { inputs in
            training.labels.withUnsafeBufferPointer { labels in
                order.withUnsafeBufferPointer { order in
                    runner.run(
                        MiniBatchRunner.Epoch(
                            inputs: inputs.baseAddress!, labels: labels.baseAddress!, order: order.baseAddress!,
                            count: order.count, batchSize: options.miniBatchSize, eta: eta, lambda: options.lambda,
                            trainingSetSize: options.regularisationSetSize ?? training.count)
                    ) { done in
                        guard done % reportEvery == 0 || done == batchCount else { return true }
                        let samples = min(done * options.miniBatchSize, order.count)
                        return progress(.batches(epoch: epoch, samplesDone: samples, samplesPerEpoch: order.count))
                    }
                }
            }
        }
    }
}

/// The book's "no improvement in n epochs" rule, for early stopping and for the schedule.
struct PlateauTracker {
    let patience: Int?
    let halves: Bool
    let initialEta: Float
    private(set) var eta: Float
    private(set) var bestAccuracy = -Double.infinity
    private var epochsWithoutImprovement = 0

    init(options: TrainingOptions) {
        patience = options.earlyStoppingPatience
        halves = options.halvesLearningRateOnPlateau
        initialEta = options.eta
        eta = options.eta
    }

    /// Records one epoch's validation accuracy; returns why training must stop, if it must.
    mutating func record(accuracy: Double) -> StopReason? {
        if accuracy > bestAccuracy {
            bestAccuracy = accuracy
            epochsWithoutImprovement = 0
            return nil
        }
        epochsWithoutImprovement += 1
        guard let patience, epochsWithoutImprovement >= patience else { return nil }
        guard halves else { return .noImprovement(epochs: patience) }
        eta /= 2
        epochsWithoutImprovement = 0
        return eta <= initialEta / 128 ? .learningRateExhausted : nil
    }
}
