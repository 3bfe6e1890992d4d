import Foundation  // the C library (Glibc or Darwin) with it
import Testing

@testable import NeuralNetwork

/// A 2-1 network worked by hand: w = (0.5, −0.5), b = 0, x = (1, 1), so z = 0 and a = ½.
@Suite struct HandWorkedTests {
    func tinyNetwork(_ cost: CostFunction) -> Network {
        Network(sizes: [2, 1], weights: [[0.5, -0.5]], biases: [[0]], cost: cost)
    }

    func sample(label: UInt8) -> Samples {
        Samples(inputSize: 2, inputs: [1, 1], labels: [label])
    }

    /// Cross-entropy, desired output... the single neuron's "label 0" means y = 1.
    /// δ = a − y = −½; ∇w = δ·x = (−½, −½); ∇b = −½. With η = 1, λ = 1, n = 2 the decay is
    /// 1 − ηλ/n = ½: w = ½·(0.5, −0.5) − (−½, −½) = (0.75, 0.25), b = 0 − (−½) = ½.
    @Test func crossEntropyStepMatchesHandArithmetic() {
        var reference = tinyNetwork(.crossEntropy)
        ReferenceKernels.updateMiniBatch(&reference, inputs: [[1, 1]], labels: [0], eta: 1, lambda: 1, trainingSetSize: 2)
        #expect(reference.weights[0] == [0.75, 0.25])
        #expect(reference.biases[0] == [0.5])

        var fast = tinyNetwork(.crossEntropy)
        fast.updateMiniBatch(inputs: sample(label: 0), eta: 1, lambda: 1, trainingSetSize: 2)
        #expect(fast.weights[0] == [0.75, 0.25])
        #expect(fast.biases[0] == [0.5])
    }

    /// Quadratic: δ = (a − y)·a·(1 − a) = −½·¼ = −⅛. With η = 1, λ = 0:
    /// w = (0.5, −0.5) + (⅛, ⅛) = (0.625, −0.375), b = ⅛.
    @Test func quadraticStepMatchesHandArithmetic() {
        var network = tinyNetwork(.quadratic)
        ReferenceKernels.updateMiniBatch(&network, inputs: [[1, 1]], labels: [0], eta: 1, lambda: 0, trainingSetSize: 1)
        #expect(network.weights[0] == [0.625, -0.375])
        #expect(network.biases[0] == [0.125])
    }

    /// Cost by hand: a = ½ for y = 1 gives −ln ½ = ln 2 (cross-entropy), ⅛ (quadratic).
    @Test func costValuesMatchHandArithmetic() {
        #expect(abs(CostFunction.crossEntropy.value(activations: [0.5], desired: [1]) - 0.693_147_180_56) < 1e-9)
        #expect(CostFunction.quadratic.value(activations: [0.5], desired: [1]) == 0.125)
        #expect(CostFunction.crossEntropy.value(activations: [0, 1], desired: [0, 1]) == 0)
        #expect(CostFunction.crossEntropy.value(activations: [1], desired: [0]).isFinite)
    }

    /// The L2 step alone: an input of zeros gives no weight gradient, so
    /// w ← (1 − ηλ/n)·w exactly, and the biases are not decayed.
    @Test func weightDecayWithoutGradientShrinksWeightsOnly() {
        var network = Network(sizes: [2, 1], weights: [[0.8, -0.4]], biases: [[0.3]], cost: .crossEntropy)
        network.updateMiniBatch(
            inputs: Samples(inputSize: 2, inputs: [0, 0], labels: [0]), eta: 0.5, lambda: 5, trainingSetSize: 10)
        let decay: Float = 1 - 0.5 * 5 / 10
        #expect(network.weights[0] == [0.8 * decay, -0.4 * decay])
        // b moves by the gradient only: δ = σ(0.3) − 1.
        let expectedBias = 0.3 - 0.5 * (1 / (1 + exp(-0.3 as Float)) - 1)
        #expect(abs(network.biases[0][0] - expectedBias) < 1e-6)
    }

    /// network2's total_cost: mean cost plus ½·(λ/n)·Σw².
    @Test func totalCostAddsTheL2Term() {
        let network = tinyNetwork(.crossEntropy)
        let evaluation = network.evaluate(on: sample(label: 0), lambda: 2)
        let expected = 0.693_147_180_56 + 0.5 * 2 * (0.25 + 0.25)
        #expect(abs(evaluation.totalCost - expected) < 1e-6)
    }
}
