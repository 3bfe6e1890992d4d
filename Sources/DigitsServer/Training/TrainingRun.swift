import NeuralNetwork

/// How the server trains a network, the first model and every retraining alike: by gradient
/// descent on a thread of its own (see `BackgroundThread`), so that seconds of arithmetic never
/// block the threads that answer requests; from a seeded random start, or on from the live
/// network when fine-tuning.
struct TrainingRun: Sendable {
    /// Layers, for example [784, 30, 10].
    let sizes: [Int]
    /// What the network reads; the samples given are already prepared so.
    let input: InputPreparation
    let options: TrainingOptions
    /// Reproduces the run bit for bit: the random start and the shuffles.
    let seed: UInt64

    /// Trains a new network on `training`; `progress` hears every event on the training
    /// thread, and training stops at the next mini-batch once it returns false.
    func train(
        on training: Samples, validation: Samples?, progress: @escaping @Sendable (TrainingProgress) -> Bool = { _ in true }
    ) async -> (network: Network, summary: TrainingSummary) {
        let run = self
        return await BackgroundThread.run(named: "digits-training") {
            var generator = SeededGenerator(seed: run.seed)
            var network = Network(sizes: run.sizes, input: run.input, using: &generator)
            let summary = network.train(on: training, validation: validation, options: run.options, using: &generator, progress: progress)
            return (network, summary)
        }
    }

    /// Trains `network` on for `options.epochs` epochs, keeping the last epoch's weights (the
    /// judge compares it with the network it started from).
    func fineTune(
        _ network: Network, on training: Samples, progress: @escaping @Sendable (TrainingProgress) -> Bool = { _ in true }
    ) async -> (network: Network, summary: TrainingSummary) {
        let run = self
        return await BackgroundThread.run(named: "digits-training") {
            var generator = SeededGenerator(seed: run.seed)
            var tuned = network
            let summary = tuned.train(on: training, validation: nil, options: run.options, using: &generator, progress: progress)
            return (tuned, summary)
        }
    }
}
