/// Labelled MNIST images as the files hold them: one unsigned byte per pixel.
///
///     // pixels: [count x rows x columns], row-major; 0 = background, 255 = ink
///     // labels: [count], each 0...9
public struct MNISTImages: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public let pixels: [UInt8]
    public let labels: [UInt8]

    public init(rows: Int, columns: Int, pixels: [UInt8], labels: [UInt8]) {
        precondition(
            pixels.count == labels.count * rows * columns, "\(pixels.count) pixels for \(labels.count) images of \(rows)x\(columns)")
        self.rows = rows
        self.columns = columns
        self.pixels = pixels
        self.labels = labels
    }

    public var count: Int { labels.count }
    public var pixelsPerImage: Int { rows * columns }

    /// The pixels of image `index`.
    public func image(at index: Int) -> ArraySlice<UInt8> {
        pixels[(index * pixelsPerImage)..<((index + 1) * pixelsPerImage)]
    }

    /// The images in `range`.
    public func slice(_ range: Range<Int>) -> MNISTImages {
        MNISTImages(
            rows: rows, columns: columns,
            pixels: Array(pixels[(range.lowerBound * pixelsPerImage)..<(range.upperBound * pixelsPerImage)]),
            labels: Array(labels[range]))
    }
}

/// MNIST split as in the book: the first 50,000 training images train, the last 10,000
/// validate, and the 10,000 t10k images test.
public struct MNISTSplit: Sendable {
    public let training: MNISTImages
    public let validation: MNISTImages
    public let test: MNISTImages

    public init(training: MNISTImages, validation: MNISTImages, test: MNISTImages) {
        self.training = training
        self.validation = validation
        self.test = test
    }

    /// How many of the 60,000 training images train; the rest validate.
    public static let trainingCount = 50_000
}
