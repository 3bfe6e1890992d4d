import Fluent
import Foundation
import NeuralNetwork
import Vapor

/// Where version 1 comes from when the database has no live version: a model file, or a
/// network trained on the imported MNIST, read, prepared and scored by the same code as a
/// retraining's (`MNISTCache`, `MNISTSets`).
enum FirstModel: Sendable {
    case file(path: String)
    case trained(TrainingRun, hyperparameters: Hyperparameters, mnist: MNISTCache)

    init(settings: ServerSettings, mnist: MNISTCache) {
        if let path = settings.modelFile {
            self = .file(path: path)
        } else {
            self = .trained(
                TrainingRun(sizes: settings.networkSizes, input: settings.input, options: settings.training, seed: settings.seed),
                hyperparameters: Hyperparameters(settings: settings), mnist: mnist)
        }
    }

    /// Why version 1 is live, as its row says.
    var reason: String {
        switch self {
        case .file(let path): "the first model, from \(path)"
        case .trained: "the first model"
        }
    }

    /// What version 1's row records of how it was made.
    struct Made: Sendable {
        var hyperparameters: Hyperparameters?
        var trainedOn = 0
        var validationAccuracy: Double?
        var testAccuracy: Double?
    }

    /// The network, and what its row records.
    func make(on database: any Database, logger: Logger) async throws -> (Network, Made) {
        switch self {
        case .file(let path):
            let network = try ModelFile.decode(try String(contentsOfFile: path, encoding: .utf8)).network
            guard network.inputSize == 784, network.outputSize == 10 else {
                throw Abort(.internalServerError, reason: "\(path) is a \(network.sizes) network; digits need 784 inputs and 10 outputs")
            }
            logger.info("first model from \(path)")
            return (network, Made())
        case .trained(let run, let hyperparameters, let cache):
            let mnist = try await cache.sets(for: run.input)
            let training = await BackgroundThread.run(named: "digits-reading") { mnist.training() }
            logger.info(
                "training the first model (\(run.sizes.map(String.init).joined(separator: "-")), \(run.options.epochs) epochs) on \(training.count) \(run.input.rawValue) digits"
            )
            let epochs = run.options.epochs
            let (network, _) = await run.train(on: training, validation: mnist.validation) { event in
                if case .epochFinished(let report) = event {
                    logger.info(
                        "epoch \(report.epoch)/\(epochs): validation \(String(format: "%.2f", (report.validation?.accuracy ?? 0) * 100))%")
                }
                return true
            }
            let scores = await BackgroundThread.run(named: "digits-judging") {
                (validation: mnist.validationAccuracy(of: network), test: mnist.testAccuracy(of: network))
            }
            logger.info("first model: test accuracy \(String(format: "%.2f", scores.test * 100))%")
            return (
                network,
                Made(
                    hyperparameters: hyperparameters, trainedOn: training.count, validationAccuracy: scores.validation,
                    testAccuracy: scores.test)
            )
        }
    }
}
