/// Float buffers that start on a cache line, so that two threads writing neighbouring
/// neurons' values (a bias each, a block of 16 activations each) never write the same line.
/// On a shared line every write would wait for the other core: that false sharing cost the
/// second thread much of its speed before the buffers were aligned.
enum CacheAlignedBuffer {
    static let lineBytes = 64
    /// Floats per cache line: thread boundaries inside a layer fall on multiples of this.
    static let floatsPerLine = lineBytes / MemoryLayout<Float>.stride

    /// `count` floats, zeroed, starting on a cache line.
    static func zeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<Float>.stride, alignment: lineBytes)
        let pointer = raw.bindMemory(to: Float.self, capacity: max(1, count))
        pointer.initialize(repeating: 0, count: max(1, count))
        return pointer
    }

    /// A copy of `values`, starting on a cache line.
    static func copy(of values: [Float]) -> UnsafeMutablePointer<Float> {
        let pointer = zeroed(values.count)
        pointer.update(from: values, count: values.count)
        return pointer
    }
}
