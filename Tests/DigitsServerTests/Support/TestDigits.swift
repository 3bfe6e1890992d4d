import DigitsServer
import Foundation
import MNISTData
import NeuralNetwork

/// MNIST's stand-in for the tests that need no real MNIST: a few hundred 28x28 digits made
/// here, one simple shape per class (a bar whose place says the digit, with speckles), which
/// a small network tells apart after one epoch. Routes, validation and retraining behave
/// the same on them; how well the model reads real handwriting is left to the tests that
/// need `MNIST_DIR`.
enum TestDigits {
    static let trainingCount = 1_000
    static let validationCount = 200
    static let testCount = 200
    static var total: Int { trainingCount + validationCount + testCount }

    static let split = MNISTSplit(
        training: images(trainingCount, seed: 1), validation: images(validationCount, seed: 2), test: images(testCount, seed: 3))

    /// What the server imports on first start instead of MNIST.
    static let supply = MNISTSupply { _ in split }

    /// `count` digits, labels 0-9 in turn: digit d is a vertical bar at column 3 + 2d.
    static func images(_ count: Int, seed: UInt64) -> MNISTImages {
        var generator = SeededGenerator(seed: seed)
        var pixels = [UInt8](repeating: 0, count: count * 784)
        var labels: [UInt8] = []
        for index in 0..<count {
            let label = index % 10
            let top = Int.random(in: 3...6, using: &generator)
            for row in top..<(top + 18) {
                for column in (3 + 2 * label)...(5 + 2 * label) { pixels[index * 784 + row * 28 + column] = 255 }
            }
            for _ in 0..<20 {
                pixels[index * 784 + Int.random(in: 0..<784, using: &generator)] = UInt8.random(in: 0...90, using: &generator)
            }
            labels.append(UInt8(label))
        }
        return MNISTImages(rows: 28, columns: 28, pixels: pixels, labels: labels)
    }
}

/// The real MNIST in `MNIST_DIR`, for the tests that need it (nil without it).
enum RealMNIST {
    static let directory = ProcessInfo.processInfo.environment["MNIST_DIR"]
    static var isAvailable: Bool { directory != nil }
    static var supply: MNISTSupply {
        let directory = directory ?? ""
        return MNISTSupply { _ in try MNISTLoader.load(directory: directory) }
    }
}
