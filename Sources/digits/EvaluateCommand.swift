import ArgumentParser
import NeuralNetwork

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure a saved model on MNIST: accuracy, accuracy per digit, confusion matrix."
    )

    @Argument(help: ArgumentHelp("A model file saved by `digits train` or by network2.py.", valueName: "model"))
    var model: String
    @Option(help: "Which MNIST set: test (t10k), validation (the last 10,000 training images) or training.")
    var set: EvaluationSet = .test
    @OptionGroup var data: DataOptions

    func run() throws {
        let (network, _) = try ModelStore.load(model)
        guard network.inputSize == 784, network.outputSize == 10 else {
            throw CommandFailure(
                "\(model) is a \(network.sizes.map(String.init).joined(separator: "-")) network; MNIST needs 784 inputs and 10 outputs")
        }
        let split = try data.load()
        let images =
            switch set {
            case .test: split.test
            case .validation: split.validation
            case .training: split.training
            }
        let evaluation = network.evaluate(
            on: network.input.prepare(Samples(greyLevels: images.pixels, inputSize: images.pixelsPerImage, labels: images.labels)))
        print(
            "\(set.rawValue) accuracy \(Format.percent(evaluation.accuracy)) (\(Format.grouped(evaluation.correct)) of \(Format.grouped(evaluation.count)))"
        )
        print("")
        print(ConfusionReport(evaluation).text)
    }
}

enum EvaluationSet: String, ExpressibleByArgument, CaseIterable {
    case test, validation, training
}

/// Accuracy per digit and the confusion matrix, as a table.
struct ConfusionReport {
    let evaluation: Evaluation
    init(_ evaluation: Evaluation) { self.evaluation = evaluation }

    var text: String {
        let classes = evaluation.confusion.count
        let width = max(5, String(evaluation.confusion.flatMap { $0 }.max() ?? 0).count + 1)
        var lines = [
            "digit  accuracy   guessed as →", "                 " + (0..<classes).map { String($0).leftPadded(to: width) }.joined(),
        ]
        for label in 0..<classes {
            let row = evaluation.confusion[label].map { String($0).leftPadded(to: width) }.joined()
            lines.append("  \(label)    \(Format.percent(evaluation.accuracy(ofLabel: label)).leftPadded(to: 7))   " + row)
        }
        return lines.joined(separator: "\n")
    }
}
