extension Network {
    /// One step of mini-batch gradient descent through the fast kernels: network2's
    /// `update_mini_batch`, w ← (1 − ηλ/n)·w − (η/m)·Σ∇w and b ← b − (η/m)·Σ∇b.
    ///
    /// The inputs must already be gathered into `workspace.input`, their labels in `labels`.
    mutating func updateMiniBatch(
        workspace: Workspace, labels: UnsafeBufferPointer<UInt8>,
        eta: Float, lambda: Float, trainingSetSize: Int
    ) {
        let m = labels.count
        precondition(m > 0 && m <= workspace.capacity, "mini-batch of \(m) in a workspace for \(workspace.capacity)")
        workspace.forward(self, sampleCount: m)

        // δᴸ from the cost.
        let outputs = outputSize
        let last = layerCount - 1
        let outputActivations = workspace.activations[last]
        let outputDelta = workspace.deltas[last]
        for s in 0..<m {
            let label = Int(labels[s])
            for j in 0..<outputs {
                let a = outputActivations[s * outputs + j]
                outputDelta[s * outputs + j] = cost.outputError(activation: a, desired: j == label ? 1 : 0)
            }
        }
        // δˡ for the layers below, all from the weights before this step.
        for layer in stride(from: last, to: 0, by: -1) {
            weights[layer].withUnsafeBufferPointer { w in
                FastKernels.backpropagate(
                    weights: w.baseAddress!, deltaOut: workspace.deltas[layer],
                    activations: workspace.activations[layer - 1], sampleCount: m,
                    inputs: sizes[layer], outputs: sizes[layer + 1], deltaIn: workspace.deltas[layer - 1])
            }
        }
        let decay = 1 - eta * lambda / Float(trainingSetSize)
        let step = eta / Float(m)
        for layer in 0..<layerCount {
            let (inputs, outputs) = (sizes[layer], sizes[layer + 1])
            weights[layer].withUnsafeMutableBufferPointer { w in
                biases[layer].withUnsafeMutableBufferPointer { b in
                    FastKernels.update(
                        weights: w.baseAddress!, biases: b.baseAddress!, delta: workspace.deltas[layer],
                        input: workspace.layerInput(layer), sampleCount: m, inputs: inputs,
                        outputs: outputs, decay: decay, step: step, coefficients: workspace.coefficients)
                }
            }
        }
    }
}
