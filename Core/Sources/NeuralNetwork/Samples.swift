/// Labelled inputs stored flat, ready for the training loop.
///
///     // inputs: [count x inputSize], row-major, each value in [0, 1] (0 = background, 1 = ink)
///     // labels: [count], each in 0..<classCount
///
/// network2 keeps a list of (x, y) tuples with y one-hot for training data and an integer for
/// test data (its `convert` flag); here every set has integer labels and the one-hot vector
/// is made where the cost needs it.
public struct Samples: Sendable, Equatable {
    public let inputSize: Int
    public private(set) var inputs: [Float]
    public private(set) var labels: [UInt8]

    public init(inputSize: Int, inputs: [Float], labels: [UInt8]) {
        precondition(inputSize > 0, "inputSize must be positive, got \(inputSize)")
        precondition(
            inputs.count == labels.count * inputSize,
            "\(inputs.count) input values do not make \(labels.count) inputs of \(inputSize)")
        self.inputSize = inputSize
        self.inputs = inputs
        self.labels = labels
    }

    /// Grey levels as inputs, each byte x/255 in [0, 1], as network2's loader reads MNIST:
    /// `greyLevels` holds `labels.count` images of `inputSize` bytes, row-major.
    public init(greyLevels: [UInt8], inputSize: Int, labels: [UInt8]) {
        self.init(inputSize: inputSize, inputs: greyLevels.map { Float($0) / 255 }, labels: labels)
    }

    public var count: Int { labels.count }
    public var isEmpty: Bool { labels.isEmpty }

    /// The input at `index`, a view into the flat storage.
    public func input(at index: Int) -> ArraySlice<Float> {
        inputs[(index * inputSize)..<((index + 1) * inputSize)]
    }

    /// The samples in `range`, copied.
    public func slice(_ range: Range<Int>) -> Samples {
        Samples(
            inputSize: inputSize,
            inputs: Array(inputs[(range.lowerBound * inputSize)..<(range.upperBound * inputSize)]),
            labels: Array(labels[range]))
    }
}
