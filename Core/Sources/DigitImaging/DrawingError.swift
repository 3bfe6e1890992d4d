/// Why a picture cannot be read as a digit. Each message says what was wrong and what to do.
public enum DrawingError: Error, Equatable, CustomStringConvertible {
    /// The bytes are not a PNG image libpng can decode.
    case notPNG(String)
    /// The image has no pixels.
    case empty
    /// The image is larger than a drawing can sensibly be.
    case tooLarge(width: Int, height: Int, maxSide: Int, maxPixels: Int)
    /// A raw buffer whose length does not match its width and height.
    case sizeMismatch(expected: Int, actual: Int)
    /// No ink could be told from the background.
    case blank

    public var description: String {
        switch self {
        case .notPNG(let reason): "the image is not a readable PNG (\(reason)); send a PNG file"
        case .empty: "the image has no pixels"
        case .tooLarge(let width, let height, let maxSide, let maxPixels):
            "the image is \(width)x\(height) pixels; a drawing may be at most \(maxSide) pixels a side and \(maxPixels) pixels in all. Scale it down."
        case .sizeMismatch(let expected, let actual):
            "the pixel buffer holds \(actual) values, but its width and height need \(expected)"
        case .blank: "the drawing is blank: no ink stands out from the background. Draw a digit first."
        }
    }
}

/// The sizes a drawing may have: a phone's full-screen canvas at device resolution fits,
/// a photograph from a 50-megapixel camera does not.
public enum DrawingLimits {
    public static let maxSide = 4096
    public static let maxPixels = 4096 * 4096
}
