/// Scratch memory for the fast path: the inputs, activations and errors of one mini-batch,
/// allocated once per training run or evaluation instead of once per mini-batch.
///
///     // input:          [paddedCapacity x sizes[0]], row-major, the gathered inputs
///     // activations[l]: [paddedCapacity x sizes[l+1]], row-major (outputs of weight layer l)
///     // deltas[l]:      [paddedCapacity x sizes[l+1]], row-major (δ of weight layer l)
///
/// Rows beyond the samples of a batch stay zero, so the padded tiles of `FastKernels`
/// read defined values.
final class Workspace {
    let sizes: [Int]
    let capacity: Int
    let paddedCapacity: Int
    let input: UnsafeMutablePointer<Float>
    let activations: [UnsafeMutablePointer<Float>]
    let deltas: [UnsafeMutablePointer<Float>]
    let coefficients: UnsafeMutablePointer<Float>

    init(sizes: [Int], capacity: Int) {
        precondition(capacity > 0, "a workspace needs room for at least one sample")
        self.sizes = sizes
        self.capacity = capacity
        let block = FastKernels.sampleBlock
        let padded = (capacity + block - 1) / block * block
        paddedCapacity = padded
        func zeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: count)
            pointer.initialize(repeating: 0, count: count)
            return pointer
        }
        input = zeroed(padded * sizes[0])
        activations = sizes.dropFirst().map { zeroed(padded * $0) }
        deltas = sizes.dropFirst().map { zeroed(padded * $0) }
        coefficients = zeroed(padded)
    }

    deinit {
        input.deallocate()
        activations.forEach { $0.deallocate() }
        deltas.forEach { $0.deallocate() }
        coefficients.deallocate()
    }

    /// The inputs of weight layer `layer`: the gathered batch, or the layer below's outputs.
    func layerInput(_ layer: Int) -> UnsafeMutablePointer<Float> {
        layer == 0 ? input : activations[layer - 1]
    }

    /// Copies sample `index` of `samples` (at `base`) into row `row` of the input buffer.
    @inline(__always)
    func gather(row: Int, from base: UnsafePointer<Float>, index: Int) {
        let width = sizes[0]
        (input + row * width).update(from: base + index * width, count: width)
    }

    /// Zeroes input rows from `count` up to the padding, after a batch smaller than capacity.
    func clearInputRows(from count: Int) {
        let width = sizes[0]
        (input + count * width).update(repeating: 0, count: (paddedCapacity - count) * width)
    }

    /// The output activations of sample `s` after `forward`.
    func output(_ s: Int) -> UnsafeBufferPointer<Float> {
        let width = sizes[sizes.count - 1]
        return UnsafeBufferPointer(start: activations[activations.count - 1] + s * width, count: width)
    }

    /// Feeds the gathered inputs of `sampleCount` samples through the network.
    func forward(_ network: Network, sampleCount: Int) {
        let block = FastKernels.sampleBlock
        let padded = (sampleCount + block - 1) / block * block
        for layer in 0..<network.layerCount {
            network.weights[layer].withUnsafeBufferPointer { w in
                network.biases[layer].withUnsafeBufferPointer { b in
                    FastKernels.forward(
                        weights: w.baseAddress!, biases: b.baseAddress!, input: layerInput(layer),
                        paddedSamples: padded, inputs: sizes[layer], outputs: sizes[layer + 1],
                        output: activations[layer])
                }
            }
        }
    }
}
