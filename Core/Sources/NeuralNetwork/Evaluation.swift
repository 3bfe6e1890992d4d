/// How a network does on a labelled set: network2's `accuracy` and `total_cost`, and the
/// confusion matrix the book does not give.
public struct Evaluation: Sendable, Equatable {
    /// The number of samples evaluated.
    public let count: Int
    /// How many the network got right.
    public let correct: Int
    /// `confusion[label][guess]`: how often a sample with `label` was read as `guess`.
    public let confusion: [[Int]]
    /// The mean cost per sample plus the L2 term, ½·(λ/n)·Σw², with n the size of this set
    /// (network2's `total_cost`).
    public let totalCost: Double

    /// The fraction of samples classified correctly, in [0, 1].
    public var accuracy: Double { count == 0 ? 0 : Double(correct) / Double(count) }

    /// The fraction of the samples with `label` that were classified correctly.
    public func accuracy(ofLabel label: Int) -> Double {
        let row = confusion[label]
        let total = row.reduce(0, +)
        return total == 0 ? 0 : Double(row[label]) / Double(total)
    }
}

extension Network {
    /// Evaluates the network on `samples`; `lambda` (λ, `lmbda`) only enters the cost.
    public func evaluate(on samples: Samples, lambda: Float = 0) -> Evaluation {
        precondition(samples.inputSize == inputSize, "samples of \(samples.inputSize) values for a network reading \(inputSize)")
        let classes = outputSize
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        var correct = 0
        var cost = 0.0
        var desired = [Float](repeating: 0, count: classes)
        forEachOutput(samples) { index, output in
            let label = Int(samples.labels[index])
            precondition(label < classes, "label \(label) of sample \(index) has no output neuron")
            let guess = argmax(output)
            confusion[label][guess] += 1
            if guess == label { correct += 1 }
            desired[label] = 1
            cost += self.cost.value(activations: output, desired: desired)
            desired[label] = 0
        }
        let n = Double(max(samples.count, 1))
        let squaredWeights = weights.reduce(0.0) { total, layer in
            layer.reduce(total) { $0 + Double($1) * Double($1) }
        }
        return Evaluation(
            count: samples.count, correct: correct, confusion: confusion,
            totalCost: cost / n + 0.5 * (Double(lambda) / n) * squaredWeights)
    }

    /// The network's guess for every sample, through the batched kernels.
    public func predictions(for samples: Samples) -> [Int] {
        var guesses = [Int](repeating: 0, count: samples.count)
        forEachOutput(samples) { index, output in guesses[index] = argmax(output) }
        return guesses
    }

    /// Calls `body` with each sample's index and output activations, in order, feeding the
    /// samples through the fast kernels a block at a time.
    func forEachOutput(_ samples: Samples, _ body: (Int, UnsafeBufferPointer<Float>) -> Void) {
        let block = 64
        let workspace = Workspace(sizes: sizes, capacity: block)
        let parameters = ParameterBuffers(self)
        samples.inputs.withUnsafeBufferPointer { inputs in
            var start = 0
            while start < samples.count {
                let end = min(start + block, samples.count)
                for s in start..<end { workspace.gather(row: s - start, from: inputs.baseAddress!, index: s) }
                for layer in 0..<layerCount {
                    workspace.forward(layer: layer, parameters: parameters, sampleCount: end - start)
                }
                for s in start..<end { body(s, workspace.output(s - start)) }
                start = end
            }
        }
    }
}
