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
    /// More compressed image data than an image of its size can need (a decompression bomb,
    /// or a file with junk appended).
    case excessData(compressed: Int, needed: Int)
    /// More metadata (text, profiles, private chunks) than a drawing carries.
    case excessMetadata(bytes: Int, allowed: Int)

    public var description: String {
        switch self {
        case .notPNG(let reason): "the image is not a readable PNG (\(reason)); send a PNG file"
        case .empty: "the image has no pixels"
        case .tooLarge(let width, let height, let maxSide, let maxPixels):
            "the image is \(width)x\(height) pixels; a drawing may be at most \(maxSide) pixels a side and \(maxPixels) pixels in all. Scale it down."
        case .sizeMismatch(let expected, let actual):
            "the pixel buffer holds \(actual) values, but its width and height need \(expected)"
        case .blank: "the drawing is blank: no ink stands out from the background. Draw a digit first."
        case .excessData(let compressed, let needed):
            "the PNG holds \(compressed) bytes of compressed image data, more than its size can need (at most \(needed)); save the image again without what follows it"
        case .excessMetadata(let bytes, let allowed):
            "the PNG carries \(bytes) bytes of metadata; a drawing may carry at most \(allowed). Save it without text chunks or embedded profiles."
        }
    }
}

/// The sizes a drawing may have. The page's pad is a square of at most 420 CSS pixels at the
/// screen's devicePixelRatio: about 1,260 pixels a side on a phone at 3x, 840 on a 2x laptop;
/// another client's canvas may be larger, up to a tablet-sized pad at 2x, 2,048. Beyond that
/// is a photograph or an attack, and costs hundreds of times a pad's drawing to decode and
/// normalise (scripts/hostile-benchmark; docs/benchmarks.md, hostile drawings).
public enum DrawingLimits {
    public static let maxSide = 2048
    public static let maxPixels = 2048 * 2048
}
