import Foundation  // the C library (Glibc or Darwin) with it
import Testing

@testable import NeuralNetwork

/// Every layer's activations, as the page shows the hidden neurons.
@Suite struct ActivationsTests {
    /// A 2-2-1 network worked by hand: hidden z = (0, ln 3), so a = (½, ¾); output z = 2·½ − 4·¾ + 1 = −1.
    @Test func eachLayerMatchesHandArithmetic() {
        let network = Network(
            sizes: [2, 2, 1], weights: [[1, -1, Float(log(3.0)), 0], [2, -4]], biases: [[0, 0], [1]], cost: .crossEntropy)
        let layers = network.activations([1, 1])
        #expect(layers.count == 2)
        #expect(abs(layers[0][0] - 0.5) < 1e-6 && abs(layers[0][1] - 0.75) < 1e-6, "\(layers[0])")
        #expect(abs(layers[1][0] - Float(1 / (1 + exp(1.0)))) < 1e-6, "\(layers[1])")
    }

    /// The last layer is exactly what `feedforward` returns, bit for bit.
    @Test func theLastLayerIsFeedforward() {
        var generator = SeededGenerator(seed: 7)
        let network = Network(sizes: [784, 30, 10], using: &generator)
        let input = (0..<784).map { _ in Float.random(in: 0...1, using: &generator) }
        #expect(network.activations(input).last == network.feedforward(input))
        #expect(network.activations(input).map(\.count) == [30, 10])
    }
}
