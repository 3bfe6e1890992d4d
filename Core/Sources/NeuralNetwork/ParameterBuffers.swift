/// A network's weights and biases in memory that training threads can share.
///
/// `Network` keeps its parameters in arrays, which two threads cannot write at once without
/// breaking Swift's exclusivity rules. For the length of a training run the parameters live
/// here instead, as raw buffers; each thread writes only the neurons it owns, and the network
/// takes the values back after each epoch.
///
///     // weights[l]: [sizes[l+1] x sizes[l]], row-major;  biases[l]: [sizes[l+1]]
final class ParameterBuffers: @unchecked Sendable {
    let sizes: [Int]
    let weights: [UnsafeMutablePointer<Float>]
    let biases: [UnsafeMutablePointer<Float>]

    init(_ network: Network) {
        sizes = network.sizes
        weights = network.weights.map(CacheAlignedBuffer.copy(of:))
        biases = network.biases.map(CacheAlignedBuffer.copy(of:))
    }

    deinit {
        weights.forEach { $0.deallocate() }
        biases.forEach { $0.deallocate() }
    }

    /// Copies the current values into `network`.
    func store(into network: inout Network) {
        for layer in 0..<(sizes.count - 1) {
            let (inputs, outputs) = (sizes[layer], sizes[layer + 1])
            network.weights[layer] = Array(UnsafeBufferPointer(start: weights[layer], count: inputs * outputs))
            network.biases[layer] = Array(UnsafeBufferPointer(start: biases[layer], count: outputs))
        }
    }
}
