/// Plain, obviously correct versions of the training arithmetic, written the way network2.py
/// states it. They are the oracle the fast kernels are tested against, and what the
/// finite-difference gradient check pins down; nothing on the hot path calls them.
public enum ReferenceKernels {
    /// aᵒᵘᵗ = σ(W·aⁱⁿ + b) for one input.
    ///
    ///     // weights: [out x in], row-major; biases: [out]; input: [in]
    public static func layerForward(weights: [Float], biases: [Float], input: [Float]) -> [Float] {
        let outputs = biases.count
        let inputs = input.count
        precondition(weights.count == outputs * inputs, "weights \(weights.count) != \(outputs) x \(inputs)")
        return (0..<outputs).map { j in
            var z = biases[j]
            for k in 0..<inputs { z += weights[j * inputs + k] * input[k] }
            return sigmoid(z)
        }
    }

    /// The gradient of the cost of one sample, ∂C/∂b and ∂C/∂w for every layer (network2's
    /// `backprop`): δᴸ from the cost, δˡ = (Wˡ⁺¹)ᵀδˡ⁺¹ ⊙ σ′(zˡ), ∂C/∂bˡ = δˡ, ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ·δˡⱼ.
    public static func backprop(
        _ network: Network, input: [Float], desired: [Float]
    ) -> (biases: [[Float]], weights: [[Float]]) {
        var activations = [input]
        for layer in 0..<network.layerCount {
            activations.append(
                layerForward(weights: network.weights[layer], biases: network.biases[layer], input: activations[layer]))
        }
        var gradientB = network.biases.map { [Float](repeating: 0, count: $0.count) }
        var gradientW = network.weights.map { [Float](repeating: 0, count: $0.count) }
        var delta = zip(activations[network.layerCount], desired).map {
            network.cost.outputError(activation: $0, desired: $1)
        }
        for layer in stride(from: network.layerCount - 1, through: 0, by: -1) {
            let inputs = network.sizes[layer]
            let previous = activations[layer]
            gradientB[layer] = delta
            for j in 0..<delta.count {
                for k in 0..<inputs { gradientW[layer][j * inputs + k] = delta[j] * previous[k] }
            }
            if layer > 0 {
                delta = (0..<inputs).map { k in
                    var sum: Float = 0
                    for j in 0..<delta.count { sum += network.weights[layer][j * inputs + k] * delta[j] }
                    return sum * previous[k] * (1 - previous[k])
                }
            }
        }
        return (gradientB, gradientW)
    }

    /// One step of gradient descent on a mini-batch (network2's `update_mini_batch`):
    /// w ← (1 − ηλ/n)·w − (η/m)·Σ∇w and b ← b − (η/m)·Σ∇b, the biases not decayed.
    ///
    /// - Parameters:
    ///   - eta: the learning rate η (`eta`).
    ///   - lambda: the L2 regularisation parameter λ (`lmbda`).
    ///   - trainingSetSize: n, the size of the whole training set (`n`).
    public static func updateMiniBatch(
        _ network: inout Network, inputs: [[Float]], labels: [Int],
        eta: Float, lambda: Float, trainingSetSize: Int
    ) {
        var sumB = network.biases.map { [Float](repeating: 0, count: $0.count) }
        var sumW = network.weights.map { [Float](repeating: 0, count: $0.count) }
        for (input, label) in zip(inputs, labels) {
            let desired = oneHot(label, count: network.outputSize)
            let gradient = backprop(network, input: input, desired: desired)
            for layer in 0..<network.layerCount {
                for i in sumB[layer].indices { sumB[layer][i] += gradient.biases[layer][i] }
                for i in sumW[layer].indices { sumW[layer][i] += gradient.weights[layer][i] }
            }
        }
        let decay = 1 - eta * lambda / Float(trainingSetSize)
        let step = eta / Float(inputs.count)
        for layer in 0..<network.layerCount {
            for i in sumW[layer].indices {
                network.weights[layer][i] = decay * network.weights[layer][i] - step * sumW[layer][i]
            }
            for i in sumB[layer].indices { network.biases[layer][i] -= step * sumB[layer][i] }
        }
    }
}

/// The desired output for a digit: 1 at `label`, 0 elsewhere (network2's `vectorized_result`).
public func oneHot(_ label: Int, count: Int) -> [Float] {
    precondition((0..<count).contains(label), "label \(label) is outside 0..<\(count)")
    var vector = [Float](repeating: 0, count: count)
    vector[label] = 1
    return vector
}
