/// How much ink each pixel of a drawing holds: 0 is background, 1 full ink.
///
///     // ink: [height x width], row-major, each in [0, 1]
///
/// Made from a picture by telling ink from background, whichever is darker: dark strokes on
/// a light page and light strokes on a dark screen both work, and transparent pixels are
/// background.
public struct InkImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let ink: [Float]

    public init(width: Int, height: Int, ink: [Float]) throws(DrawingError) {
        try checkSize(width: width, height: height)
        guard ink.count == width * height else { throw .sizeMismatch(expected: width * height, actual: ink.count) }
        self.width = width
        self.height = height
        self.ink = ink
    }

    /// Ink from an 8-bit grey buffer, one byte a pixel, row-major; polarity is detected.
    public init(grey: [UInt8], width: Int, height: Int) throws(DrawingError) {
        try checkSize(width: width, height: height)
        guard grey.count == width * height else { throw .sizeMismatch(expected: width * height, actual: grey.count) }
        try self.init(LumaAlphaImage(width: width, height: height, luma: grey, alpha: nil))
    }

    /// Ink from an RGBA picture: transparency is composited onto a background that contrasts
    /// with the strokes, then polarity is detected.
    public init(_ image: RGBAImage) throws(DrawingError) {
        try self.init(LumaAlphaImage(image))
    }

    /// Ink from luma and alpha: transparent pixels are composited onto a background that
    /// contrasts with the strokes, then the background is the median shade of the border and
    /// ink is the distance from it towards the opposite extreme, scaled to [0, 1].
    init(_ image: LumaAlphaImage) throws(DrawingError) {
        let luma = image.alpha.map { Self.composite(image.luma, alpha: $0) } ?? image.luma
        let background = Float(Self.borderMedian(luma, width: image.width, height: image.height))
        // ink = (background − luma) / background on a light page, (luma − background) / (255 − background) on a dark one.
        let (offset, scale): (Float, Float) = background > 127.5 ? (background, -1 / background) : (background, 1 / (255 - background))
        let ink = luma.withUnsafeBufferPointer { luma in
            [Float](unsafeUninitializedCapacity: luma.count) { ink, initialised in
                for i in 0..<luma.count {
                    let value = (Float(luma[i]) - offset) * scale
                    ink[i] = value < 0 ? 0 : value > 1 ? 1 : value
                }
                initialised = luma.count
            }
        }
        try self.init(width: image.width, height: image.height, ink: ink)
    }

    /// Strokes on a transparent canvas: the opaque part is the ink. Composites onto the
    /// opposite of the strokes' mean shade (alpha-weighted), so they stand out whatever their colour.
    static func composite(_ luma: [UInt8], alpha: [UInt8]) -> [UInt8] {
        var weighted = 0
        var weight = 0
        for i in luma.indices {
            weighted += Int(alpha[i]) * Int(luma[i])
            weight += Int(alpha[i])
        }
        let background = weight > 0 && 2 * weighted >= 255 * weight ? 0 : 255
        return luma.indices.map { i in
            let a = Int(alpha[i])
            return UInt8((a * Int(luma[i]) + (255 - a) * background + 127) / 255)
        }
    }

    /// The median shade of the border pixels (each corner counted twice, as it lies on two
    /// sides), from a histogram rather than a sort.
    static func borderMedian(_ luma: [UInt8], width: Int, height: Int) -> UInt8 {
        var histogram = [Int](repeating: 0, count: 256)
        for x in 0..<width {
            histogram[Int(luma[x])] += 1
            histogram[Int(luma[(height - 1) * width + x])] += 1
        }
        for y in 0..<height {
            histogram[Int(luma[y * width])] += 1
            histogram[Int(luma[y * width + width - 1])] += 1
        }
        // The element at index count / 2 of the sorted border.
        var remaining = (2 * (width + height)) / 2
        for shade in 0..<256 {
            remaining -= histogram[shade]
            if remaining < 0 { return UInt8(shade) }
        }
        return 255
    }
}
