/// Scratch memory for the fast path: the inputs, activations and errors of one mini-batch,
/// allocated once per training run or evaluation instead of once per mini-batch.
///
///     // inputs[b]:      [paddedCapacity x sizes[0]], row-major: two buffers, so the next
///     //                 batch can be gathered while the last one's update still reads its own
///     // activations[l]: [paddedCapacity x sizes[l+1]], row-major (outputs of weight layer l)
///     // deltas[l]:      [paddedCapacity x sizes[l+1]], row-major (δ of weight layer l)
///
/// Everything starts zeroed; rows past a short batch keep finite leftovers, which the padded
/// tiles of `FastKernels` may read but whose results nothing uses.
final class Workspace: @unchecked Sendable {
    let sizes: [Int]
    let capacity: Int
    let paddedCapacity: Int
    let inputs: [UnsafeMutablePointer<Float>]
    let activations: [UnsafeMutablePointer<Float>]
    let deltas: [UnsafeMutablePointer<Float>]
    /// Where a second training thread writes its neurons of the first layer, laid out like
    /// `activations[0]`: rows of 30 activations are 120 bytes, so writing into the shared
    /// buffer would put both threads on the same cache lines. Thread 0 copies them over.
    let helperActivations: UnsafeMutablePointer<Float>

    init(sizes: [Int], capacity: Int) {
        precondition(capacity > 0, "a workspace needs room for at least one sample")
        self.sizes = sizes
        self.capacity = capacity
        let padded = Self.padded(capacity)
        paddedCapacity = padded
        let zeroed = CacheAlignedBuffer.zeroed
        inputs = [zeroed(padded * sizes[0]), zeroed(padded * sizes[0])]
        activations = sizes.dropFirst().map { zeroed(padded * $0) }
        helperActivations = zeroed(padded * sizes[1])
        deltas = sizes.dropFirst().map { zeroed(padded * $0) }
    }

    deinit {
        inputs.forEach { $0.deallocate() }
        activations.forEach { $0.deallocate() }
        deltas.forEach { $0.deallocate() }
        helperActivations.deallocate()
    }

    /// `count` rounded up to whole register tiles.
    static func padded(_ count: Int) -> Int {
        let block = FastKernels.sampleBlock
        return (count + block - 1) / block * block
    }

    /// The inputs of weight layer `layer`: the gathered batch in `buffer`, or the layer below's outputs.
    func layerInput(_ layer: Int, buffer: Int = 0) -> UnsafeMutablePointer<Float> {
        layer == 0 ? inputs[buffer] : activations[layer - 1]
    }

    /// Copies sample `index` of the flat inputs at `base` into row `row` of input buffer `buffer`.
    @inline(__always)
    func gather(row: Int, from base: UnsafePointer<Float>, index: Int, buffer: Int = 0) {
        let width = sizes[0]
        (inputs[buffer] + row * width).update(from: base + index * width, count: width)
    }

    /// The output activations of sample `s` after a forward pass.
    func output(_ s: Int) -> UnsafeBufferPointer<Float> {
        let width = sizes[sizes.count - 1]
        return UnsafeBufferPointer(start: activations[activations.count - 1] + s * width, count: width)
    }

    /// Weight layer `layer`'s forward pass for the neurons in `neurons` (all by default),
    /// into `activations[layer]` or the buffer `output` names.
    func forward(
        layer: Int, parameters: ParameterBuffers, sampleCount: Int, buffer: Int = 0, neurons: Range<Int>? = nil,
        output: UnsafeMutablePointer<Float>? = nil
    ) {
        FastKernels.forward(
            weights: parameters.weights[layer], biases: parameters.biases[layer],
            input: layerInput(layer, buffer: buffer), paddedSamples: Self.padded(sampleCount),
            inputs: sizes[layer], outputs: sizes[layer + 1], neurons: neurons ?? 0..<sizes[layer + 1],
            output: output ?? activations[layer])
    }
}
