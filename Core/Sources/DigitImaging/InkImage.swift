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
        try self.init(width: width, height: height, ink: Self.inkFromLuminance(grey.map { Float($0) / 255 }, width: width, height: height))
    }

    /// Ink from an RGBA picture: transparency is composited onto a background that contrasts
    /// with the strokes, then polarity is detected.
    public init(_ image: RGBAImage) throws(DrawingError) {
        let count = image.width * image.height
        var hasTransparency = false
        let luminance = image.pixels.withUnsafeBufferPointer { p in
            [Float](unsafeUninitializedCapacity: count) { out, initialised in
                for i in 0..<count {
                    // Rec. 601 luma, as in most grey conversions of drawings.
                    out[i] = (0.299 * Float(p[4 * i]) + 0.587 * Float(p[4 * i + 1]) + 0.114 * Float(p[4 * i + 2])) / 255
                }
                initialised = count
                for i in 0..<count where p[4 * i + 3] != 255 {
                    hasTransparency = true
                    break
                }
            }
        }
        guard hasTransparency else {
            try self.init(width: image.width, height: image.height, ink: Self.inkFromLuminance(luminance, width: image.width, height: image.height))
            return
        }
        // Strokes on a transparent canvas: the opaque part is the ink. Composite onto the
        // opposite of the strokes' mean shade, so they stand out whatever their colour.
        let alpha = image.pixels.withUnsafeBufferPointer { p in (0..<count).map { Float(p[4 * $0 + 3]) / 255 } }
        var weighted: Float = 0
        var weight: Float = 0
        for i in 0..<count {
            weighted += alpha[i] * luminance[i]
            weight += alpha[i]
        }
        let strokeShade = weight > 0 ? weighted / weight : 0
        let background: Float = strokeShade < 0.5 ? 1 : 0
        let composited = (0..<count).map { alpha[$0] * luminance[$0] + (1 - alpha[$0]) * background }
        try self.init(width: image.width, height: image.height, ink: Self.inkFromLuminance(composited, width: image.width, height: image.height))
    }

    /// Ink from luminance: the background is the median shade of the border, ink is the
    /// distance from it towards the opposite extreme, scaled to [0, 1].
    static func inkFromLuminance(_ luminance: [Float], width: Int, height: Int) -> [Float] {
        var border: [Float] = []
        border.reserveCapacity(2 * (width + height))
        for x in 0..<width {
            border.append(luminance[x])
            border.append(luminance[(height - 1) * width + x])
        }
        for y in 0..<height {
            border.append(luminance[y * width])
            border.append(luminance[y * width + width - 1])
        }
        border.sort()
        let background = border[border.count / 2]
        if background > 0.5 {
            let range = max(background, 1e-6)
            return luminance.map { min(max((background - $0) / range, 0), 1) }
        } else {
            let range = max(1 - background, 1e-6)
            return luminance.map { min(max(($0 - background) / range, 0), 1) }
        }
    }
}
