import Synchronization

/// Runs mini-batch gradient descent over one epoch on one or two threads.
///
/// The work of a mini-batch, in network2's terms (`update_mini_batch` with the batch as a
/// matrix), split so that two threads can share it:
///
///     gather      each thread copies half of the batch's inputs into the input buffer
///     ── barrier
///     forward 0   each thread computes its own neurons of the first (largest) layer
///     ── barrier
///     serial      thread 0: the other layers' forward pass, δᴸ from the cost, δˡ for every
///                 layer, and the gradient step of every layer but the first
///     ── barrier
///     update 0    each thread steps its own neurons of the first layer, then gathers its
///                 half of the next batch into the other input buffer
///     ── barrier
///
/// The first layer holds 98% of the arithmetic of a 784-30-10 network. Each neuron's numbers
/// are computed the same way whichever thread owns it, so one and two threads give the same
/// bits.
final class MiniBatchRunner: @unchecked Sendable {
    let parameters: ParameterBuffers
    let workspace: Workspace
    let sizes: [Int]
    let cost: CostFunction
    let threadCount: Int
    private let barrier: SpinBarrier
    private let stopRequested = Atomic<Bool>(false)
    /// The first layer's neurons owned by each thread: even-sized starts, for the 2-row tiles.
    private let ownedNeurons: [Range<Int>]

    init(network: Network, batchCapacity: Int, threadCount: Int) {
        precondition(threadCount == 1 || threadCount == 2, "one or two threads, not \(threadCount)")
        parameters = ParameterBuffers(network)
        workspace = Workspace(sizes: network.sizes, capacity: batchCapacity)
        sizes = network.sizes
        cost = network.cost
        self.threadCount = threadCount
        barrier = SpinBarrier(parties: threadCount)
        // Split at a whole cache line of biases, near the middle.
        let outputs = network.sizes[1]
        let line = CacheAlignedBuffer.floatsPerLine
        let split = min(outputs, max(line, (outputs + line) / (2 * line) * line))
        ownedNeurons = threadCount == 1 || split == outputs ? [0..<outputs, outputs..<outputs] : [0..<split, split..<outputs]
    }

    /// What one epoch needs: the data, the order to visit it in, and the step sizes.
    struct Epoch {
        let inputs: UnsafePointer<Float>
        let labels: UnsafePointer<UInt8>
        let order: UnsafePointer<Int>
        let count: Int
        let batchSize: Int
        let eta: Float
        let lambda: Float
        /// n in the weight decay 1 − ηλ/n: the size of the whole training set.
        let trainingSetSize: Int

        var batchCount: Int { (count + batchSize - 1) / batchSize }
        func batch(_ index: Int) -> Range<Int> { (index * batchSize)..<min((index + 1) * batchSize, count) }
    }

    /// Runs one epoch; `afterBatch` is called on the calling thread after each mini-batch
    /// with the number of batches done, and returns false to stop. Returns whether the epoch
    /// ran to the end.
    func run(_ epoch: Epoch, afterBatch: (Int) -> Bool) -> Bool {
        stopRequested.store(false, ordering: .relaxed)
        if threadCount == 1 {
            work(epoch, thread: 0, afterBatch: afterBatch)
        } else {
            let helper = Platform.Thread { [self] in work(epoch, thread: 1, afterBatch: { _ in true }) }
            work(epoch, thread: 0, afterBatch: afterBatch)
            helper.join()
        }
        return !stopRequested.load(ordering: .relaxed)
    }

    private func work(_ epoch: Epoch, thread: Int, afterBatch: (Int) -> Bool) {
        gather(epoch, batch: 0, buffer: 0, thread: thread)
        barrier.wait()
        for index in 0..<epoch.batchCount {
            let rows = epoch.batch(index)
            let buffer = index % 2
            workspace.forward(
                layer: 0, parameters: parameters, sampleCount: rows.count, buffer: buffer, neurons: ownedNeurons[thread],
                output: thread == 0 ? workspace.activations[0] : workspace.helperActivations)
            barrier.wait()
            if thread == 0 { serialPart(epoch, rows: rows) }
            barrier.wait()
            updateFirstLayer(epoch, sampleCount: rows.count, buffer: buffer, neurons: ownedNeurons[thread])
            if index + 1 < epoch.batchCount { gather(epoch, batch: index + 1, buffer: 1 - buffer, thread: thread) }
            if thread == 0, !afterBatch(index + 1) { stopRequested.store(true, ordering: .relaxed) }
            barrier.wait()
            if stopRequested.load(ordering: .relaxed) { return }
        }
    }

    /// This thread's share of the rows of batch `index`, copied into input buffer `buffer`.
    private func gather(_ epoch: Epoch, batch index: Int, buffer: Int, thread: Int) {
        let rows = epoch.batch(index)
        for s in stride(from: rows.lowerBound + thread, to: rows.upperBound, by: threadCount) {
            workspace.gather(row: s - rows.lowerBound, from: epoch.inputs, index: epoch.order[s], buffer: buffer)
        }
    }

    /// Thread 0's part: the small layers forward, every δ, and the small layers' updates.
    private func serialPart(_ epoch: Epoch, rows: Range<Int>) {
        let m = rows.count
        copyHelperActivations(sampleCount: m)
        let layerCount = sizes.count - 1
        for layer in 1..<max(1, layerCount) {
            workspace.forward(layer: layer, parameters: parameters, sampleCount: m)
        }
        let last = layerCount - 1
        let outputs = sizes[layerCount]
        let activation = workspace.activations[last]
        let delta = workspace.deltas[last]
        for s in 0..<m {
            let label = Int(epoch.labels[epoch.order[rows.lowerBound + s]])
            for j in 0..<outputs {
                delta[s * outputs + j] = cost.outputError(activation: activation[s * outputs + j], desired: j == label ? 1 : 0)
            }
        }
        // Every δ from the weights before this step, then the step on all but layer 0.
        for layer in stride(from: last, to: 0, by: -1) {
            FastKernels.backpropagate(
                weights: parameters.weights[layer], deltaOut: workspace.deltas[layer],
                activations: workspace.activations[layer - 1], sampleCount: m,
                inputs: sizes[layer], outputs: sizes[layer + 1], deltaIn: workspace.deltas[layer - 1])
        }
        let (decay, step) = stepSizes(epoch, sampleCount: m)
        for layer in stride(from: last, to: 0, by: -1) {
            FastKernels.update(
                weights: parameters.weights[layer], biases: parameters.biases[layer], delta: workspace.deltas[layer],
                input: workspace.activations[layer - 1], sampleCount: m, inputs: sizes[layer],
                outputs: sizes[layer + 1], neurons: 0..<sizes[layer + 1], decay: decay, step: step)
        }
    }

    /// Brings the second thread's first-layer activations into `activations[0]`.
    private func copyHelperActivations(sampleCount: Int) {
        let helperNeurons = ownedNeurons[1]
        guard !helperNeurons.isEmpty else { return }
        let outputs = sizes[1]
        for s in 0..<Workspace.padded(sampleCount) {
            let offset = s * outputs + helperNeurons.lowerBound
            (workspace.activations[0] + offset).update(from: workspace.helperActivations + offset, count: helperNeurons.count)
        }
    }

    private func updateFirstLayer(_ epoch: Epoch, sampleCount m: Int, buffer: Int, neurons: Range<Int>) {
        let (decay, step) = stepSizes(epoch, sampleCount: m)
        FastKernels.update(
            weights: parameters.weights[0], biases: parameters.biases[0], delta: workspace.deltas[0],
            input: workspace.inputs[buffer], sampleCount: m, inputs: sizes[0], outputs: sizes[1],
            neurons: neurons, decay: decay, step: step)
    }

    /// The book's decay 1 − ηλ/n and step η/m.
    private func stepSizes(_ epoch: Epoch, sampleCount m: Int) -> (decay: Float, step: Float) {
        (1 - epoch.eta * epoch.lambda / Float(epoch.trainingSetSize), epoch.eta / Float(m))
    }
}
