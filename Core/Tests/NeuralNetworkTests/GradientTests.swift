import Foundation  // the C library (Glibc or Darwin) with it
import Testing

@testable import NeuralNetwork

/// The cost of one sample computed in Double from scratch, independent of the kernels.
private func doubleCost(_ network: Network, weights: [[Double]], biases: [[Double]], input: [Float], label: Int) -> Double {
    var activation = input.map(Double.init)
    for layer in 0..<network.layerCount {
        let inputs = network.sizes[layer]
        activation = (0..<network.sizes[layer + 1]).map { j in
            var z = biases[layer][j]
            for k in 0..<inputs { z += weights[layer][j * inputs + k] * activation[k] }
            return 1 / (1 + _exp(-z))
        }
    }
    return activation.enumerated().reduce(0.0) { total, element in
        let (j, a) = element
        let y: Double = j == label ? 1 : 0
        switch network.cost {
        case .crossEntropy: return total - (y * _log(a) + (1 - y) * _log(1 - a))
        case .quadratic: return total + 0.5 * (a - y) * (a - y)
        }
    }
}

private func _exp(_ x: Double) -> Double { exp(x) }
private func _log(_ x: Double) -> Double { log(x) }

@Suite struct GradientTests {
    @Test(arguments: CostFunction.allCases)
    func backpropagationMatchesFiniteDifferences(cost: CostFunction) {
        let network = randomNetwork([6, 5, 4, 3], cost: cost, seed: 3)
        let sample = randomSamples(count: 1, inputSize: 6, classes: 3, seed: 5)
        let input = Array(sample.input(at: 0))
        let label = Int(sample.labels[0])
        let gradient = ReferenceKernels.backprop(network, input: input, desired: oneHot(label, count: 3))

        // Parameters in Double, weights then biases per layer, perturbed one at a time.
        var parameters = [network.weights.map { $0.map(Double.init) }, network.biases.map { $0.map(Double.init) }]
        let analytic = [gradient.weights, gradient.biases]
        let h = 1e-6
        func perturbedCost() -> Double {
            doubleCost(network, weights: parameters[0], biases: parameters[1], input: input, label: label)
        }
        for kind in 0..<2 {
            for layer in 0..<network.layerCount {
                for i in parameters[kind][layer].indices {
                    let saved = parameters[kind][layer][i]
                    parameters[kind][layer][i] = saved + h
                    let plus = perturbedCost()
                    parameters[kind][layer][i] = saved - h
                    let minus = perturbedCost()
                    parameters[kind][layer][i] = saved
                    let numeric = (plus - minus) / (2 * h)
                    let name = kind == 0 ? "w" : "b"
                    #expect(abs(numeric - Double(analytic[kind][layer][i])) < 1e-4 + 1e-3 * abs(numeric), "\(name)[\(layer)][\(i)]")
                }
            }
        }
    }
}
