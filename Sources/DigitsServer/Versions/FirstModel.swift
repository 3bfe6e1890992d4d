import Fluent
import Foundation
import NeuralNetwork
import Vapor

/// Where version 1 comes from when the database has no live version: a model file, or a
/// network trained on the imported MNIST.
enum FirstModel: Sendable {
    case file(path: String)
    case trained(TrainingRun, hyperparameters: Hyperparameters)

    init(settings: ServerSettings) {
        if let path = settings.modelFile {
            self = .file(path: path)
        } else {
            self = .trained(
                TrainingRun(sizes: settings.networkSizes, input: settings.input, options: settings.training, seed: settings.seed),
                hyperparameters: Hyperparameters(settings: settings))
        }
    }

    /// Why version 1 is live, as its row says.
    var reason: String {
        switch self {
        case .file(let path): "the first model, from \(path)"
        case .trained: "the first model"
        }
    }

    /// The network and its row, not yet stored.
    func make(on database: any Database, logger: Logger) async throws -> (Network, ModelVersionRecord) {
        let record = ModelVersionRecord()
        switch self {
        case .file(let path):
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let network = try ModelFile.decode(text).network
            guard network.inputSize == 784, network.outputSize == 10 else {
                throw Abort(.internalServerError, reason: "\(path) is a \(network.sizes) network; digits need 784 inputs and 10 outputs")
            }
            logger.info("first model from \(path)")
            record.hyperparameters = "{}"
            record.trainedOn = 0
            return (network, record)
        case .trained(let run, let hyperparameters):
            let input = run.input
            let stored = (
                training: try await DigitStore.samples(from: .mnistTraining, on: database),
                validation: try await DigitStore.samples(from: .mnistValidation, on: database),
                test: try await DigitStore.samples(from: .mnistTest, on: database)
            )
            // Deskewing 70,000 digits takes a fifth of a second: off the request threads.
            let (training, validation, test) = await BackgroundThread.run(named: "digits-reading") {
                (input.prepare(stored.training), input.prepare(stored.validation), input.prepare(stored.test))
            }
            guard !training.isEmpty else {
                throw Abort(.internalServerError, reason: "the database has no MNIST training digits to learn from")
            }
            logger.info(
                "training the first model (\(run.sizes.map(String.init).joined(separator: "-")), \(run.options.epochs) epochs) on \(training.count) \(input.rawValue) digits"
            )
            let epochs = run.options.epochs
            let (network, _) = await run.train(on: training, validation: validation) { event in
                if case .epochFinished(let report) = event {
                    let accuracy = String(format: "%.2f", (report.validation?.accuracy ?? 0) * 100)
                    logger.info("epoch \(report.epoch)/\(epochs): validation \(accuracy)%")
                }
                return true
            }
            let scores = await BackgroundThread.run(named: "digits-judging") {
                (validation: network.evaluate(on: validation).accuracy, test: network.evaluate(on: test).accuracy)
            }
            record.validationAccuracy = scores.validation
            record.testAccuracy = scores.test
            record.trainedOn = training.count
            record.hyperparameters = hyperparameters.json
            logger.info("first model: test accuracy \(String(format: "%.2f", scores.test * 100))%")
            return (network, record)
        }
    }
}
