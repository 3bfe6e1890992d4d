/// A picture reduced to what telling ink from background needs: a luma byte per pixel, and
/// an alpha byte per pixel where any pixel is not opaque.
///
///     // luma:  [height x width], row-major, Rec. 601 luma of the RGB, 0 black to 255 white
///     // alpha: [height x width], row-major, 0 transparent to 255 opaque; nil when all are 255
///
/// A quarter of the size of RGBA or less, and made straight from a PNG's rows by the
/// canvas fast path (`CanvasPNGDecoder`).
struct LumaAlphaImage: Sendable, Equatable {
    let width: Int
    let height: Int
    let luma: [UInt8]
    let alpha: [UInt8]?

    /// `alpha` nil means every pixel is opaque; callers pass nil rather than all 255s.
    init(width: Int, height: Int, luma: [UInt8], alpha: [UInt8]?) {
        precondition(luma.count == width * height && (alpha?.count ?? luma.count) == width * height, "luma and alpha need \(width * height) bytes each")
        self.width = width
        self.height = height
        self.luma = luma
        self.alpha = alpha
    }

    /// Luma and alpha of an RGBA picture.
    init(_ image: RGBAImage) {
        let count = image.width * image.height
        var luma = [UInt8](repeating: 0, count: count)
        var alpha = [UInt8](repeating: 0, count: count)
        var opaque = true
        image.pixels.withUnsafeBufferPointer { rgba in
            luma.withUnsafeMutableBufferPointer { luma in
                alpha.withUnsafeMutableBufferPointer { alpha in
                    for i in 0..<count {
                        luma[i] = Self.luma(red: rgba[4 * i], green: rgba[4 * i + 1], blue: rgba[4 * i + 2])
                        alpha[i] = rgba[4 * i + 3]
                        opaque = opaque && alpha[i] == 255
                    }
                }
            }
        }
        self.init(width: image.width, height: image.height, luma: luma, alpha: opaque ? nil : alpha)
    }

    /// Rec. 601 luma, 0.299 R + 0.587 G + 0.114 B, in 16-bit fixed point (the weights sum to
    /// 65536, so white stays 255 and grey stays itself).
    @inline(__always)
    static func luma(red: UInt8, green: UInt8, blue: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: (19595 &* UInt32(red) &+ 38470 &* UInt32(green) &+ 7471 &* UInt32(blue) &+ 32768) >> 16)
    }
}
