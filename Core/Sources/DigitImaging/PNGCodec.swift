import CPNGShim

/// PNG through the system libpng: any colour type and bit depth in, 8-bit RGBA out.
public enum PNGCodec {
    /// Decodes a PNG (8- or 16-bit grey, grey + alpha, RGB, RGBA, palette, with or without
    /// transparency) into RGBA. The size is checked from the header, before any pixel memory
    /// is allocated.
    public static func decode(_ bytes: [UInt8]) throws(DrawingError) -> RGBAImage {
        guard !bytes.isEmpty else { throw .notPNG("no bytes") }
        _ = try PNGPreflight(bytes)
        var output: UnsafeMutablePointer<UInt8>? = nil
        var width: UInt32 = 0
        var height: UInt32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBufferPointer { data in
            digits_png_decode(
                data.baseAddress, data.count, UInt64(DrawingLimits.maxPixels), &output, &width, &height,
                &message, message.count)
        }
        guard status == 0, let output else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if status == -2 { try checkSize(width: Int(width), height: Int(height)) }
            throw .notPNG(reason)
        }
        defer { digits_png_free(output) }
        let count = Int(width) * Int(height) * 4
        return try RGBAImage(width: Int(width), height: Int(height), pixels: Array(UnsafeBufferPointer(start: output, count: count)))
    }

    /// Decodes a PNG into luma and alpha, what finding the ink needs: canvas-style PNGs (8-bit,
    /// not interlaced, no palette) through `CanvasPNGDecoder`, about ten times faster; the
    /// rest, and anything the fast path finds wrong, through libpng, which also words the error.
    static func decodeLumaAlpha(_ bytes: [UInt8]) throws(DrawingError) -> LumaAlphaImage {
        _ = try PNGPreflight(bytes)
        if let image = bytes.withUnsafeBufferPointer(CanvasPNGDecoder.decode) { return image }
        return try LumaAlphaImage(decode(bytes))
    }

    /// The ways `encode` can lay out pixels.
    public enum Layout: Int32, Sendable, CaseIterable {
        case grey = 0, greyAlpha = 1, rgb = 2, rgba = 3, grey16 = 4, palette = 5

        /// Bytes per pixel in the buffer handed to `encode`.
        public var bytesPerPixel: Int {
            switch self {
            case .grey, .palette: 1
            case .greyAlpha, .grey16: 2
            case .rgb: 3
            case .rgba: 4
            }
        }
    }

    /// Encodes `pixels` (laid out as `layout`; 16-bit samples native-endian; palette
    /// indices into `colormap`, RGB triples) as a PNG.
    public static func encode(_ pixels: [UInt8], width: Int, height: Int, layout: Layout, colormap: [UInt8] = []) -> [UInt8] {
        precondition(pixels.count == width * height * layout.bytesPerPixel, "\(pixels.count) bytes for \(width)x\(height) \(layout)")
        precondition(
            layout != .palette || (colormap.count % 3 == 0 && (3...768).contains(colormap.count)), "a palette needs 1 to 256 RGB entries")
        var output: UnsafeMutablePointer<UInt8>? = nil
        var length = 0
        let status = pixels.withUnsafeBytes { raw in
            colormap.withUnsafeBufferPointer { map in
                digits_png_encode(
                    raw.baseAddress, UInt32(width), UInt32(height), layout.rawValue, map.baseAddress,
                    Int32(colormap.count / 3), &output, &length)
            }
        }
        precondition(status == 0 && output != nil, "libpng failed to encode a \(width)x\(height) image")
        defer { digits_png_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }

    /// An 8-bit grey PNG of `grey` (one byte a pixel, row-major): how a normalised digit is
    /// shown. Written by `GreyPNGWriter` (libdeflate) rather than libpng, for speed.
    public static func encodeGrey(_ grey: [UInt8], width: Int, height: Int) -> [UInt8] {
        GreyPNGWriter.encode(grey, width: width, height: height)
    }
}
