import ArgumentParser
import Foundation
import MNISTData
import NeuralNetwork

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a network on MNIST's 50,000 training digits and save it.",
        discussion: "Defaults are the book's: 784-30-10, cross-entropy, eta 0.5, lambda 5.0, mini-batch 10, 30 epochs."
    )

    @Option(name: .customLong("hidden"), help: "Neurons in a hidden layer; repeat for more layers (default: one layer of 30).")
    var hiddenLayers: [Int] = []
    @Option(help: "Passes over the training data.")
    var epochs = 30
    @Option(name: .customLong("batch-size"), help: "Samples per gradient step (mini-batch size m).")
    var batchSize = 10
    @Option(help: "Learning rate η.")
    var eta: Float = 0.5
    @Option(help: "L2 regularisation λ (0 turns it off).")
    var lambda: Float = 5.0
    @Option(help: "Cost function: cross-entropy or quadratic.")
    var cost: CostChoice = .crossEntropy
    @Option(name: .customLong("init"), help: "Weight initialisation: scaled (N(0, 1/√n_in)) or large (N(0, 1)).")
    var initialisation: Network.Initialisation = .scaled
    @Option(help: "Random seed; the same seed gives the same network bit for bit on the same machine.")
    var seed: UInt64 = 1
    @Option(
        name: .customLong("early-stop"),
        help: ArgumentHelp("Stop when validation accuracy has not improved for N epochs, keeping the best.", valueName: "N"))
    var earlyStop: Int?
    @Flag(help: "The book's schedule: halve η each time validation stalls for --early-stop epochs; stop at η/128.")
    var schedule = false
    @Flag(name: .customLong("monitor-training"), help: "Also report cost and accuracy on the training data each epoch.")
    var monitorTraining = false
    @Option(
        help:
            "Threads for gradient descent, 1 or 2 (default: 2 where two processors are online, using the second only while it makes training faster, as on a busy machine it does not); the result is the same."
    )
    var threads: Int?
    @Flag(
        inversion: .prefixedNo,
        help:
            "Deskew every digit (shear it upright by its moments) before the network reads it, in training and in every guess; the model file records it."
    )
    var deskew = true
    @OptionGroup var data: DataOptions
    @Option(name: .shortAndLong, help: ArgumentHelp("Where to save the model (network2's JSON format).", valueName: "file"))
    var output = "digits-model.json"

    var sizes: [Int] { [784] + (hiddenLayers.isEmpty ? [30] : hiddenLayers) + [10] }

    var options: TrainingOptions {
        TrainingOptions(
            epochs: epochs, miniBatchSize: batchSize, eta: eta, lambda: lambda, earlyStoppingPatience: earlyStop,
            halvesLearningRateOnPlateau: schedule, monitorsTrainingSet: monitorTraining, threads: threads)
    }

    func validate() throws {
        if let bad = hiddenLayers.first(where: { !(1...4096).contains($0) }) {
            throw ValidationError("--hidden must be between 1 and 4096 neurons, got \(bad)")
        }
        if let problem = options.problem() {
            throw ValidationError(problem.replacingOccurrences(of: "patience (early stopping)", with: "patience: add --early-stop N"))
        }
        if output.isEmpty { throw ValidationError("--output needs a file name") }
        // Check where the model goes before training, not after.
        let folder = (output as NSString).deletingLastPathComponent
        let directory = folder.isEmpty ? "." : folder
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--output \(output): the folder \(directory) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw ValidationError("--output \(output): the folder \(directory) is not writable")
        }
    }

    var input: InputPreparation { deskew ? .deskewed : .centred }

    func run() throws {
        let split = try data.load()
        let training = input.prepare(
            Samples(greyLevels: split.training.pixels, inputSize: split.training.pixelsPerImage, labels: split.training.labels))
        let validation = input.prepare(
            Samples(greyLevels: split.validation.pixels, inputSize: split.validation.pixelsPerImage, labels: split.validation.labels))
        var generator = SeededGenerator(seed: seed)
        var network = Network(sizes: sizes, cost: cost.function, initialisation: initialisation, input: input, using: &generator)
        Terminal.note(
            "training \(sizes.map(String.init).joined(separator: "-")) on \(Format.grouped(training.count)) \(input.rawValue) digits: "
                + "\(epochs) epochs, mini-batch \(batchSize), eta \(eta), lambda \(lambda), \(cost.rawValue) cost, seed \(seed)")

        var progress = TrainingProgressView(epochs: epochs, showsBar: Terminal.isInteractive)
        let summary = network.train(on: training, validation: validation, options: options, using: &generator) {
            progress.handle($0)
        }
        progress.finish()

        let test = network.evaluate(
            on: input.prepare(Samples(greyLevels: split.test.pixels, inputSize: split.test.pixelsPerImage, labels: split.test.labels)),
            lambda: lambda)
        let kept = summary.reports[summary.keptEpoch - 1]
        print(stopSentence(summary))
        print("kept epoch \(summary.keptEpoch): validation \(Format.percent(kept.validation?.accuracy ?? 0))")
        print("test accuracy \(Format.percent(test.accuracy)) (\(Format.grouped(test.correct)) of \(Format.grouped(test.count)))")
        try ModelStore.save(network, metadata: metadata(summary: summary, test: test), to: output)
        print("model saved to \(output)")
    }

    private func stopSentence(_ summary: TrainingSummary) -> String {
        switch summary.stopReason {
        case .completedEpochs: "trained \(summary.reports.count) epochs"
        case .noImprovement(let epochs): "stopped after epoch \(summary.reports.count): no improvement in \(epochs) epochs"
        case .learningRateExhausted: "stopped after epoch \(summary.reports.count): eta fell to 1/128 of its start"
        case .cancelled: "stopped after epoch \(summary.reports.count)"
        }
    }

    private func metadata(summary: TrainingSummary, test: Evaluation) -> ModelMetadata {
        let kept = summary.reports[summary.keptEpoch - 1]
        return ModelMetadata(
            testAccuracy: test.accuracy, validationAccuracy: kept.validation?.accuracy ?? 0, epochsTrained: summary.reports.count,
            keptEpoch: summary.keptEpoch, eta: eta, lambda: lambda, miniBatchSize: batchSize, seed: seed,
            initialisation: initialisation.rawValue, trainedAt: ISO8601DateFormatter().string(from: Date()))
    }
}

/// The `--cost` values, in the words a person types.
enum CostChoice: String, ExpressibleByArgument, CaseIterable {
    case crossEntropy = "cross-entropy"
    case quadratic

    var function: CostFunction { self == .crossEntropy ? .crossEntropy : .quadratic }
}

extension Network.Initialisation: @retroactive ExpressibleByArgument {}
