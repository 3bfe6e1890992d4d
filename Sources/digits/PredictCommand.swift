import ArgumentParser
import DigitImaging
import Foundation
import NeuralNetwork

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Read handwritten digits from PNG images with a saved model.",
        discussion: """
            Each drawing is normalised as MNIST's digits were (cropped, scaled to 20 pixels, centred \
            by mass in 28x28). The ten numbers are the output neurons' sigmoid activations shown as \
            percentages: each is independent, so they need not add up to 100%.
            """
    )

    @Argument(help: ArgumentHelp("A model file saved by `digits train` or by network2.py.", valueName: "model"))
    var model: String
    @Argument(help: ArgumentHelp("PNG images of single digits, dark on light or light on dark.", valueName: "image"))
    var images: [String]
    @Flag(help: "Also draw the 28x28 image the network saw.")
    var show = false

    func validate() throws {
        if images.isEmpty { throw ValidationError("name at least one PNG image to read") }
    }

    func run() throws {
        let (network, _) = try ModelStore.load(model)
        guard network.inputSize == 784 else {
            throw CommandFailure("\(model) reads \(network.inputSize) inputs; a digit drawing gives 784 (28x28)")
        }
        var failures = 0
        for path in images {
            do {
                let digit = try read(path)
                let activations = network.feedforward(network.input.prepare(digit.pixels))
                print(Self.describe(path: path, activations: activations))
                if show { print(digit.textPicture) }
            } catch {
                failures += 1
                Terminal.note("\(path): \(error)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    private func read(_ path: String) throws -> NormalisedDigit {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure(FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        return try DigitNormaliser.normalise(png: [UInt8](data))
    }

    /// `PATH: 7   0 0.1%  1 0.0%  …  7 98.7%  …` — the guess, then every activation.
    static func describe(path: String, activations: [Float]) -> String {
        let guess = activations.indices.max { activations[$0] < activations[$1] } ?? 0
        let parts = activations.enumerated().map { "\($0.offset) \(String(format: "%.1f%%", Double($0.element) * 100))" }
        return "\(path): \(guess)   activations " + parts.joined(separator: "  ")
    }
}
