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
        precondition(
            luma.count == width * height && (alpha?.count ?? luma.count) == width * height,
            "luma and alpha need \(width * height) bytes each")
        self.width = width
        self.height = height
        self.luma = luma
        self.alpha = alpha
    }

    /// Luma and alpha of an RGBA picture.
    init(_ image: RGBAImage) {
        let count = image.width * image.height
        var opaque: UInt8 = 255
        var alpha: [UInt8] = []
        let luma = [UInt8](unsafeUninitializedCapacity: count) { luma, lumaCount in
            alpha = [UInt8](unsafeUninitializedCapacity: count) { alpha, alphaCount in
                image.pixels.withUnsafeBufferPointer { rgba in
                    opaque = Self.convertRGBA(rgba.baseAddress!, count: count, luma: luma.baseAddress!, alpha: alpha.baseAddress!)
                }
                alphaCount = count
            }
            lumaCount = count
        }
        self.init(width: image.width, height: image.height, luma: luma, alpha: opaque == 255 ? nil : alpha)
    }

    /// RGBA to luma and alpha, eight pixels at a time: each pixel read as one little-endian
    /// 32-bit word, R in the low byte, the weighted sum done in 32-bit lanes.
    /// Returns the AND of the alpha bytes: 255 when every pixel is opaque.
    ///
    /// Not inlined on purpose: inlined into the large decoding loop, the compiler no longer
    /// inlined the vector narrowing inside it, and a drawing took measurably longer (GuessBenchmark).
    @inline(never)
    static func convertRGBA(
        _ samples: UnsafePointer<UInt8>, count: Int, luma: UnsafeMutablePointer<UInt8>, alpha: UnsafeMutablePointer<UInt8>
    ) -> UInt8 {
        let words = UnsafeRawPointer(samples)
        var all = SIMD8<UInt32>(repeating: 255)
        var x = 0
        #if _endian(little)
            while x + 8 <= count {
                let pixels = words.loadUnaligned(fromByteOffset: 4 * x, as: SIMD8<UInt32>.self)
                let (red, green, blue) = (pixels & 0xFF, (pixels &>> 8) & 0xFF, (pixels &>> 16) & 0xFF)
                let opacity = pixels &>> 24
                let shade = (19595 &* red &+ 38470 &* green &+ 7471 &* blue &+ 32768) &>> 16
                UnsafeMutableRawPointer(luma + x).storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: shade), as: SIMD8<UInt8>.self)
                UnsafeMutableRawPointer(alpha + x).storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: opacity), as: SIMD8<UInt8>.self)
                all &= opacity
                x += 8
            }
        #endif
        var rest: UInt8 = 255
        while x < count {
            luma[x] = Self.luma(red: samples[4 * x], green: samples[4 * x + 1], blue: samples[4 * x + 2])
            alpha[x] = samples[4 * x + 3]
            rest &= samples[4 * x + 3]
            x += 1
        }
        return UInt8(truncatingIfNeeded: all.min()) & rest
    }

    /// Rec. 601 luma, 0.299 R + 0.587 G + 0.114 B, in 16-bit fixed point (the weights sum to
    /// 65536, so white stays 255 and grey stays itself).
    @inline(__always)
    static func luma(red: UInt8, green: UInt8, blue: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: (19595 &* UInt32(red) &+ 38470 &* UInt32(green) &+ 7471 &* UInt32(blue) &+ 32768) >> 16)
    }
}
