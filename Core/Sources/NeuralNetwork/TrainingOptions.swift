/// The hyperparameters of stochastic gradient descent (the arguments of network2's `SGD`).
public struct TrainingOptions: Sendable, Equatable {
    /// How many passes over the training data (`epochs`).
    public var epochs: Int
    /// m, the samples per gradient step (`mini_batch_size`).
    public var miniBatchSize: Int
    /// η, the learning rate (`eta`).
    public var eta: Float
    /// λ, the L2 regularisation parameter (`lmbda`); 0 turns regularisation off.
    public var lambda: Float
    /// Stop when validation accuracy has not improved for this many epochs, and keep the
    /// weights of the best epoch. `nil` trains for all `epochs`.
    public var earlyStoppingPatience: Int?
    /// The book's learning-rate schedule: when validation accuracy has not improved for
    /// `earlyStoppingPatience` epochs, halve η instead of stopping; stop once η has fallen
    /// to η/128.
    public var halvesLearningRateOnPlateau: Bool
    /// Also measure cost and accuracy on the training data after each epoch; it costs
    /// about a third of an epoch.
    public var monitorsTrainingSet: Bool
    /// Threads for gradient descent, 1 or 2; `nil` chooses: two when two processors are
    /// online and the first layer is large enough to share. The result is the same either way.
    public var threads: Int?
    /// n in the weight decay 1 − ηλ/n; nil for the size of the training set, as network2.
    /// Fine-tuning a trained network on a few hundred digits sets it to the size of the set
    /// the network was trained on: with n = 300, λ = 5 would shrink every weight by 0.8% a
    /// mini-batch and undo the training in a few hundred steps.
    public var regularisationSetSize: Int?

    public init(
        epochs: Int = 30, miniBatchSize: Int = 10, eta: Float = 0.5, lambda: Float = 5.0,
        earlyStoppingPatience: Int? = nil, halvesLearningRateOnPlateau: Bool = false,
        monitorsTrainingSet: Bool = false, threads: Int? = nil, regularisationSetSize: Int? = nil
    ) {
        self.regularisationSetSize = regularisationSetSize
        self.epochs = epochs
        self.miniBatchSize = miniBatchSize
        self.eta = eta
        self.lambda = lambda
        self.earlyStoppingPatience = earlyStoppingPatience
        self.halvesLearningRateOnPlateau = halvesLearningRateOnPlateau
        self.monitorsTrainingSet = monitorsTrainingSet
        self.threads = threads
    }

    /// The number of threads to train a network of `sizes` with.
    func threadCount(for sizes: [Int]) -> Int {
        if let threads { return threads }
        // Below about 10,000 first-layer weights a mini-batch is too short to share.
        return Platform.processorCount >= 2 && sizes[0] * sizes[1] >= 10_000 ? 2 : 1
    }

    /// Checks the values a person may type; returns a sentence naming the first bad one.
    public func problem() -> String? {
        if epochs < 1 { return "epochs must be at least 1, got \(epochs)" }
        if miniBatchSize < 1 { return "the mini-batch size must be at least 1, got \(miniBatchSize)" }
        if !(eta > 0) || !eta.isFinite { return "the learning rate eta must be a positive number, got \(eta)" }
        if !(lambda >= 0) || !lambda.isFinite { return "lambda must be zero or positive, got \(lambda)" }
        if let patience = earlyStoppingPatience, patience < 1 {
            return "early stopping needs a patience of at least 1 epoch, got \(patience)"
        }
        if let threads, !(1...2).contains(threads) { return "threads must be 1 or 2, got \(threads)" }
        if let size = regularisationSetSize, size < 1 { return "the regularisation set size must be at least 1, got \(size)" }
        if halvesLearningRateOnPlateau && earlyStoppingPatience == nil {
            return "the learning-rate schedule needs a patience (early stopping) to detect a plateau"
        }
        return nil
    }
}

/// What one epoch of training measured (network2's four monitoring lists, per epoch).
public struct EpochReport: Sendable, Equatable {
    public let epoch: Int
    /// η during this epoch (it changes under the learning-rate schedule).
    public let eta: Float
    /// Seconds spent in gradient descent, evaluation excluded.
    public let trainingSeconds: Double
    public let training: Evaluation?
    public let validation: Evaluation?
}

/// Why training ended.
public enum StopReason: Sendable, Equatable {
    case completedEpochs
    case noImprovement(epochs: Int)
    case learningRateExhausted
    case cancelled
}

/// What a training run returns: every epoch's report and which epoch's weights were kept.
public struct TrainingSummary: Sendable, Equatable {
    public let reports: [EpochReport]
    /// The epoch whose weights the network now has: the best by validation accuracy when
    /// there was a validation set, else the last.
    public let keptEpoch: Int
    public let stopReason: StopReason
}

/// Where a training run is, for a progress display.
public enum TrainingProgress: Sendable {
    case batches(epoch: Int, samplesDone: Int, samplesPerEpoch: Int)
    case epochFinished(EpochReport)
}
