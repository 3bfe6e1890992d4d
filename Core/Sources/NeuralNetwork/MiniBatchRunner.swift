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
/// bits — which lets the runner choose, window by window, how many threads to use
/// (`ThreadChoice`): on a busy machine the second thread is often descheduled, and a partner
/// spinning at the barrier for it made two threads slower than one (docs/benchmarks.md, Speed).
final class MiniBatchRunner: @unchecked Sendable {
    let parameters: ParameterBuffers
    let workspace: Workspace
    let sizes: [Int]
    let cost: CostFunction
    let threadCount: Int
    private let barrier: SpinBarrier
    private let stopRequested = Atomic<Bool>(false)
    /// The first layer's neurons owned by each thread when two share it: even-sized starts,
    /// for the 2-row tiles.
    private let ownedNeurons: [Range<Int>]
    /// The thread count for each window of mini-batches; only the calling thread uses it.
    private var choice: ThreadChoice
    /// When the window running now started its first mini-batch (written by thread 0).
    private var windowStarted: UInt64 = 0

    init(network: Network, batchCapacity: Int, threadCount: Int, windowBatches: Int = ThreadChoice.windowBatches) {
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
        choice = ThreadChoice(windowBatches: windowBatches)
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
    ///
    /// The epoch runs in windows of mini-batches, each on one thread or two as `choice` says,
    /// timed for the next choice; a second thread lives for one window (starting one costs
    /// tens of microseconds, a window milliseconds).
    func run(_ epoch: Epoch, afterBatch: (Int) -> Bool) -> Bool {
        stopRequested.store(false, ordering: .relaxed)
        var first = 0
        while first < epoch.batchCount {
            let (threads, batches) = threadCount == 1 ? (1, epoch.batchCount) : choice.next()
            let window = first..<min(first + batches, epoch.batchCount)
            if threads == 1 {
                work(epoch, window: window, thread: 0, of: 1, afterBatch: afterBatch)
            } else {
                let helper = Platform.Thread { [self] in work(epoch, window: window, thread: 1, of: 2, afterBatch: { _ in true }) }
                work(epoch, window: window, thread: 0, of: 2, afterBatch: afterBatch)
                helper.join()
            }
            if threadCount > 1 {
                let nanoseconds = Double(Platform.monotonicNanoseconds() - windowStarted)
                choice.record(threads: threads, secondsPerBatch: nanoseconds / 1e9 / Double(window.count))
            }
            if stopRequested.load(ordering: .relaxed) { return false }
            first = window.upperBound
        }
        return true
    }

    /// Thread `thread` of `threads`' part of the mini-batches in `window`.
    private func work(_ epoch: Epoch, window: Range<Int>, thread: Int, of threads: Int, afterBatch: (Int) -> Bool) {
        let neurons = threads == 1 ? 0..<sizes[1] : ownedNeurons[thread]
        let meet = threads == 1 ? {} : { [barrier] in barrier.wait() }
        gather(epoch, batch: window.lowerBound, buffer: window.lowerBound % 2, thread: thread, of: threads)
        meet()
        // Timed from here: the second thread's start (tens of microseconds) would weigh on a
        // probe's 25 mini-batches as much as the work.
        if thread == 0 { windowStarted = Platform.monotonicNanoseconds() }
        for index in window {
            let rows = epoch.batch(index)
            let buffer = index % 2
            workspace.forward(
                layer: 0, parameters: parameters, sampleCount: rows.count, buffer: buffer, neurons: neurons,
                output: thread == 0 ? workspace.activations[0] : workspace.helperActivations)
            meet()
            if thread == 0 { serialPart(epoch, rows: rows, threads: threads) }
            meet()
            updateFirstLayer(epoch, sampleCount: rows.count, buffer: buffer, neurons: neurons)
            if index + 1 < window.upperBound { gather(epoch, batch: index + 1, buffer: 1 - buffer, thread: thread, of: threads) }
            if thread == 0, !afterBatch(index + 1) { stopRequested.store(true, ordering: .relaxed) }
            meet()
            if stopRequested.load(ordering: .relaxed) { return }
        }
    }

    /// This thread's share of the rows of batch `index`, copied into input buffer `buffer`.
    private func gather(_ epoch: Epoch, batch index: Int, buffer: Int, thread: Int, of threads: Int) {
        let rows = epoch.batch(index)
        for s in stride(from: rows.lowerBound + thread, to: rows.upperBound, by: threads) {
            workspace.gather(row: s - rows.lowerBound, from: epoch.inputs, index: epoch.order[s], buffer: buffer)
        }
    }

    /// Thread 0's part: the small layers forward, every δ, and the small layers' updates.
    private func serialPart(_ epoch: Epoch, rows: Range<Int>, threads: Int) {
        let m = rows.count
        if threads > 1 { copyHelperActivations(sampleCount: m) }
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

/// How many threads the next window of mini-batches runs on: the count whose last window was
/// faster per mini-batch, with the other tried for a short window every `probeEvery`-th (about
/// every 0.7 s), so that a machine that becomes busy (or idle again) is noticed within a second.
/// One and two threads give the same bits, so the choice changes only the time.
///
/// With one core kept busy, a window on two threads can take several times as long as on one
/// (`TrainingBenchmark`; figures in docs/benchmarks.md, Speed), so the probes are short: 25
/// mini-batches, a few milliseconds at worst.
struct ThreadChoice {
    static let windowBatches = 500
    static let probeBatches = 25
    static let probeEvery = 64
    let windowBatches: Int
    let probeBatches: Int
    /// The last window's seconds per mini-batch, for one thread and for two.
    private var secondsPerBatch: [Int: Double] = [:]
    private var windows = 0
    /// The count the last windows ran on, and how many in a row.
    private var current = 0
    private var streak = 0

    init(windowBatches: Int = ThreadChoice.windowBatches) {
        precondition(windowBatches >= 1, "a window needs at least one mini-batch")
        self.windowBatches = windowBatches
        probeBatches = max(1, min(Self.probeBatches, windowBatches / 4))
    }

    /// A short window on one thread, one on two, then the faster, the other probed now and
    /// then. One thread first: the first window also warms the caches, and that cost should
    /// not count against two threads, which an idle machine runs faster than one.
    mutating func next() -> (threads: Int, batches: Int) {
        windows += 1
        guard let one = secondsPerBatch[1] else {
            (current, streak) = (1, 1)
            return (1, probeBatches)
        }
        guard let two = secondsPerBatch[2] else {
            (current, streak) = (2, 1)
            return (2, probeBatches)
        }
        // Two threads unless one is clearly faster: a 25-batch probe is noisy, and on an idle
        // machine two are faster, on a busy one far slower.
        let faster = two <= one * 1.1 ? 2 : 1
        let threads = windows % Self.probeEvery == 0 ? 3 - faster : faster
        // A count gets a full window only after two short ones in a row won: a probe that
        // happened to be fast (the other process was off the core) then costs 25 more
        // mini-batches before it is found out, not 500.
        streak = threads == current ? streak + 1 : 1
        current = threads
        return (threads, streak > 2 ? windowBatches : probeBatches)
    }

    mutating func record(threads: Int, secondsPerBatch seconds: Double) {
        secondsPerBatch[threads] = seconds
    }
}
