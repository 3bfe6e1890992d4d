/// A feed-forward network of sigmoid neurons: network2.py's `Network`, as a value type.
///
/// Layer `l` (0-based, counting from the first hidden layer) maps `sizes[l]` inputs to
/// `sizes[l + 1]` outputs: aˡ⁺¹ = σ(Wˡ·aˡ + bˡ). The storage is flat and row-major:
///
///     // weights[l]: [sizes[l+1] x sizes[l]], row-major; weights[l][j * sizes[l] + k] is
///     //             the weight from neuron k of layer l to neuron j of layer l+1
///     // biases[l]:  [sizes[l+1]]
///
/// Being a value, a network can be copied to train off the request path while the original
/// keeps answering.
public struct Network: Equatable, Sendable {
    public let sizes: [Int]
    public internal(set) var weights: [[Float]]
    public internal(set) var biases: [[Float]]
    public var cost: CostFunction
    /// What the inputs are made from a normalised digit (`InputPreparation`): callers prepare
    /// them with `input.prepare`, and the model file keeps it.
    public var input: InputPreparation

    /// How the weights and biases start (network2's `default_weight_initializer` and
    /// `large_weight_initializer`).
    public enum Initialisation: String, Sendable, CaseIterable {
        /// Weights from N(0, 1/n_in), i.e. standard deviation 1/√n_in; biases from N(0, 1).
        case scaled
        /// Weights and biases from N(0, 1): the book's chapter-1 start, which saturates neurons.
        case large
    }

    /// A network with random weights and biases drawn from `generator`.
    public init(
        sizes: [Int], cost: CostFunction = .crossEntropy, initialisation: Initialisation = .scaled, input: InputPreparation = .centred,
        using generator: inout some RandomNumberGenerator
    ) {
        Self.checkSizes(sizes)
        self.sizes = sizes
        self.cost = cost
        self.input = input
        var weights: [[Float]] = []
        var biases: [[Float]] = []
        for (inputs, outputs) in zip(sizes, sizes.dropFirst()) {
            // network2 draws the biases of every layer first, then the weights; the order
            // matters only for reproducing a seed, which numpy's generator could not anyway.
            biases.append((0..<outputs).map { _ in Float(generator.nextGaussian()) })
            let deviation = initialisation == .scaled ? 1 / Double(inputs).squareRoot() : 1
            weights.append(
                (0..<(inputs * outputs)).map { _ in
                    Float(generator.nextGaussian(standardDeviation: deviation))
                })
        }
        self.weights = weights
        self.biases = biases
    }

    /// A network with the given parameters; the shapes must agree with `sizes`.
    public init(sizes: [Int], weights: [[Float]], biases: [[Float]], cost: CostFunction, input: InputPreparation = .centred) {
        Self.checkSizes(sizes)
        precondition(
            weights.count == sizes.count - 1 && biases.count == sizes.count - 1,
            "a network of sizes \(sizes) needs \(sizes.count - 1) weight matrices and bias vectors")
        for layer in 0..<(sizes.count - 1) {
            precondition(
                weights[layer].count == sizes[layer] * sizes[layer + 1]
                    && biases[layer].count == sizes[layer + 1],
                "layer \(layer): weights \(weights[layer].count), biases \(biases[layer].count)"
                    + " do not fit \(sizes[layer + 1]) x \(sizes[layer])")
        }
        self.sizes = sizes
        self.weights = weights
        self.biases = biases
        self.cost = cost
        self.input = input
    }

    /// The number of inputs the network reads (784 for MNIST).
    public var inputSize: Int { sizes[0] }
    /// The number of output neurons (10 for digits).
    public var outputSize: Int { sizes[sizes.count - 1] }
    /// The number of weight layers, one fewer than `sizes.count`.
    public var layerCount: Int { sizes.count - 1 }

    /// The output activations for one input (network2's `feedforward`).
    public func feedforward(_ input: [Float]) -> [Float] {
        precondition(input.count == inputSize, "input has \(input.count) values, the network reads \(inputSize)")
        var activation = input
        for layer in 0..<layerCount { activation = forward(activation, through: layer) }
        return activation
    }

    /// Every layer's activations for one input, the hidden layers' first and the output last
    /// (network2's `feedforward`, keeping each `a` on the way): what the page shows of the
    /// hidden neurons. The last is exactly `feedforward(input)`.
    public func activations(_ input: [Float]) -> [[Float]] {
        precondition(input.count == inputSize, "input has \(input.count) values, the network reads \(inputSize)")
        var layers: [[Float]] = []
        var activation = input
        for layer in 0..<layerCount {
            activation = forward(activation, through: layer)
            layers.append(activation)
        }
        return layers
    }

    /// a′ = σ(w·a + b) for weight layer `layer`.
    private func forward(_ activation: [Float], through layer: Int) -> [Float] {
        let (inputs, outputs) = (sizes[layer], sizes[layer + 1])
        return [Float](unsafeUninitializedCapacity: outputs) { output, initialised in
            weights[layer].withUnsafeBufferPointer { weights in
                biases[layer].withUnsafeBufferPointer { biases in
                    activation.withUnsafeBufferPointer { input in
                        FastKernels.forwardOne(
                            weights: weights.baseAddress!, biases: biases.baseAddress!, input: input.baseAddress!,
                            inputs: inputs, outputs: outputs, output: output.baseAddress!)
                    }
                }
            }
            initialised = outputs
        }
    }

    /// The index of the most active output neuron: the network's guess.
    public func predict(_ input: [Float]) -> Int {
        argmax(feedforward(input))
    }

    static func checkSizes(_ sizes: [Int]) {
        precondition(sizes.count >= 2, "a network needs at least an input and an output layer, got \(sizes)")
        precondition(sizes.allSatisfy { $0 > 0 }, "every layer needs at least one neuron, got \(sizes)")
    }
}

/// The index of the largest value; the first one on a tie, as numpy's `argmax`.
func argmax(_ values: some Collection<Float>) -> Int {
    var best = 0
    var bestValue = -Float.infinity
    for (index, value) in values.enumerated() where value > bestValue {
        best = index
        bestValue = value
    }
    return best
}

extension Network {
    /// The first layer with a weight or bias that is not a finite number (training diverged), if any.
    public var firstNonFiniteLayer: Int? {
        (0..<layerCount).first { layer in
            weights[layer].contains { !$0.isFinite } || biases[layer].contains { !$0.isFinite }
        }
    }
}
