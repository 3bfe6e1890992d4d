import Fluent
import Foundation
import Vapor
import NeuralNetwork

/// Makes sure a model is live when the server starts: the stored live version on a restart;
/// else the model file given; else the first model, trained on the imported MNIST.
enum ModelBootstrap {
    static func start(settings: ServerSettings, database: any Database, live: LiveModel, logger: Logger) async throws {
        // A crash during training leaves its row marked; nothing trains at start-up.
        let stale = try await ModelStateRecord.query(on: database).filter(\.$isTraining == true).all()
        for record in stale {
            record.finish(.failed, reason: "the server stopped during training")
            try await record.save(on: database)
            logger.warning("version \(record.version) was training when the server stopped; marked as not training")
        }
        if let record = try await ModelStateRecord.query(on: database).filter(\.$isLive == true).first() {
            let (network, _) = try ModelFile.decode(record.network)
            live.replace(with: network, version: record.version)
            logger.info("live model: version \(record.version)")
            return
        }
        let network: Network
        var record = ModelStateRecord()
        record.hyperparameters = "{}"
        if let path = settings.modelFile {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            network = try ModelFile.decode(text).network
            guard network.inputSize == 784, network.outputSize == 10 else {
                throw Abort(.internalServerError, reason: "\(path) is a \(network.sizes) network; digits need 784 inputs and 10 outputs")
            }
            logger.info("first model from \(path)")
            record.trainedOn = 0
        } else {
            (network, record) = try await trainFirstModel(settings: settings, database: database, logger: logger)
        }
        record.version = 1
        record.network = try ModelFile.encode(network)
        record.isLive = true
        record.finish(.promoted, reason: settings.modelFile.map { "the first model, from \($0)" } ?? "the first model")
        record.peopleSeen = 0
        try await record.create(on: database)
        live.replace(with: network, version: 1)
        logger.info("live model: version 1")
    }

    private static func trainFirstModel(
        settings: ServerSettings, database: any Database, logger: Logger
    ) async throws -> (Network, ModelStateRecord) {
        let training = try await DigitStore.samples(from: .mnistTraining, on: database)
        let validation = try await DigitStore.samples(from: .mnistValidation, on: database)
        let test = try await DigitStore.samples(from: .mnistTest, on: database)
        logger.info(
            "training the first model (\(settings.networkSizes.map(String.init).joined(separator: "-")), \(settings.training.epochs) epochs) on \(training.count) digits"
        )
        var seeded = SeededGenerator(seed: settings.seed)
        let initial = Network(sizes: settings.networkSizes, using: &seeded)
        let generatorAfterInitialisation = seeded
        let options = settings.training
        // Training blocks its thread for seconds: keep it off the event loops.
        let trained = await Task.detached(priority: .utility) { () -> (Network, TrainingSummary) in
            var generator = generatorAfterInitialisation
            var network = initial
            let summary = network.train(on: training, validation: validation, options: options, using: &generator) { event in
                if case .epochFinished(let report) = event {
                    logger.info(
                        "epoch \(report.epoch)/\(options.epochs): validation \(String(format: "%.2f", (report.validation?.accuracy ?? 0) * 100))%"
                    )
                }
                return true
            }
            return (network, summary)
        }.value
        let network = trained.0
        let record = ModelStateRecord()
        record.validationAccuracy = network.evaluate(on: validation).accuracy
        record.testAccuracy = network.evaluate(on: test).accuracy
        record.trainedOn = training.count
        record.hyperparameters = Hyperparameters(settings: settings).json
        logger.info("first model: test accuracy \(String(format: "%.2f", (record.testAccuracy ?? 0) * 100))%")
        return (network, record)
    }
}

/// The hyperparameters stored with a model version.
struct Hyperparameters: Codable, Sendable {
    let sizes: [Int]
    let epochs: Int
    let miniBatchSize: Int
    let eta: Float
    let lambda: Float
    let seed: UInt64
    /// How many times each person's training digit appeared per epoch.
    let personWeight: Int?

    init(settings: ServerSettings) {
        sizes = settings.networkSizes
        epochs = settings.training.epochs
        miniBatchSize = settings.training.miniBatchSize
        eta = settings.training.eta
        lambda = settings.training.lambda
        seed = settings.seed
        personWeight = settings.retraining.personWeight
    }

    var json: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data("{}".utf8), as: UTF8.self) }
}
