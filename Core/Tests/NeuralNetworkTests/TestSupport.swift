@testable import NeuralNetwork

/// A network with random parameters, for tests.
func randomNetwork(_ sizes: [Int], cost: CostFunction = .crossEntropy, seed: UInt64 = 7) -> Network {
    var generator = SeededGenerator(seed: seed)
    return Network(sizes: sizes, cost: cost, using: &generator)
}

/// Random samples with inputs in [0, 1) and labels below `classes`.
func randomSamples(count: Int, inputSize: Int, classes: Int, seed: UInt64 = 11) -> Samples {
    var generator = SeededGenerator(seed: seed)
    let inputs = (0..<(count * inputSize)).map { _ in Float(generator.nextUnitDouble()) }
    let labels = (0..<count).map { _ in UInt8(generator.nextIndex(below: classes)) }
    return Samples(inputSize: inputSize, inputs: inputs, labels: labels)
}

/// The largest absolute difference between two equally long lists.
func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
