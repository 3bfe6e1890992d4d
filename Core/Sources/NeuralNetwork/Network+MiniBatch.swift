extension Network {
    /// One step of mini-batch gradient descent through the fast kernels: network2's
    /// `update_mini_batch`, w ← (1 − ηλ/n)·w − (η/m)·Σ∇w and b ← b − (η/m)·Σ∇b.
    ///
    /// The training loop goes through `MiniBatchRunner` directly; this single step is what
    /// the tests compare with `ReferenceKernels.updateMiniBatch`.
    mutating func updateMiniBatch(
        inputs: Samples, eta: Float, lambda: Float, trainingSetSize: Int, threadCount: Int = 1
    ) {
        let runner = MiniBatchRunner(network: self, batchCapacity: inputs.count, threadCount: threadCount)
        let order = Array(0..<inputs.count)
        inputs.inputs.withUnsafeBufferPointer { pixels in
            inputs.labels.withUnsafeBufferPointer { labels in
                order.withUnsafeBufferPointer { order in
                    _ = runner.run(
                        MiniBatchRunner.Epoch(
                            inputs: pixels.baseAddress!, labels: labels.baseAddress!, order: order.baseAddress!,
                            count: inputs.count, batchSize: inputs.count, eta: eta, lambda: lambda,
                            trainingSetSize: trainingSetSize)
                    ) { _ in true }
                }
            }
        }
        runner.parameters.store(into: &self)
    }
}
