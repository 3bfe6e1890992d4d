import NeuralNetwork

/// How the server trains a network, the first model and every retraining alike: from a seeded
/// random start, by gradient descent on a thread of its own (see `BackgroundThread`), so that
/// seconds of arithmetic never block the threads that answer requests.
struct TrainingRun: Sendable {
    /// Layers, for example [784, 30, 10].
    let sizes: [Int]
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
            var network = Network(sizes: run.sizes, using: &generator)
            let summary = network.train(on: training, validation: validation, options: run.options, using: &generator, progress: progress)
            return (network, summary)
        }
    }
}
