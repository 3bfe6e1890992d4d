/// An image of 8-bit RGBA pixels, alpha not premultiplied.
///
///     // pixels: [height x width x 4], row-major, R G B A
public struct RGBAImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) throws(DrawingError) {
        try checkSize(width: width, height: height)
        guard pixels.count == width * height * 4 else { throw .sizeMismatch(expected: width * height * 4, actual: pixels.count) }
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}

/// Refuses empty and absurdly large images.
func checkSize(width: Int, height: Int) throws(DrawingError) {
    guard width > 0, height > 0 else { throw .empty }
    guard width <= DrawingLimits.maxSide, height <= DrawingLimits.maxSide, width * height <= DrawingLimits.maxPixels else {
        throw .tooLarge(width: width, height: height, maxSide: DrawingLimits.maxSide, maxPixels: DrawingLimits.maxPixels)
    }
}
