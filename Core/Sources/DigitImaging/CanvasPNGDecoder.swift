import CLibDeflate

/// The fast path for the PNGs that drawing canvases export: 8-bit samples, not interlaced,
/// grey, grey + alpha, RGB or RGBA.
///
/// libdeflate inflates the image data in one call, far faster than the zlib inside libpng on
/// a canvas's long runs of white (GuessBenchmark; docs/benchmarks.md, a guess stage by stage),
/// and each row is unfiltered and turned into luma and alpha while it is in cache. Every
/// chunk's CRC is checked, and the data must inflate to exactly the size the header implies.
///
/// Anything else (palettes, 1-, 2-, 4- or 16-bit samples, interlacing, a tRNS colour key,
/// an unknown critical chunk, a damaged or truncated file, a size beyond `DrawingLimits`)
/// returns nil, and libpng decodes it or says what is wrong with it.
enum CanvasPNGDecoder {
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> LumaAlphaImage? {
        guard let chunks = Chunks(bytes) else { return nil }
        let (width, height, channels) = (chunks.header.width, chunks.header.height, chunks.header.channels)
        let stride = width * channels + 1  // a filter-type byte, then the row's samples
        // Left uninitialised: inflating writes every byte or fails.
        var inflated = false
        var rows = [UInt8](unsafeUninitializedCapacity: height * stride) { rows, initialised in
            inflated = chunks.withImageData { data in
                guard let decompressor = libdeflate_alloc_decompressor() else { return false }
                defer { libdeflate_free_decompressor(decompressor) }
                // No actual-size pointer: anything but exactly `rows.count` bytes is an error.
                return libdeflate_zlib_decompress(decompressor, data.baseAddress, data.count, rows.baseAddress, rows.count, nil)
                    == LIBDEFLATE_SUCCESS
            }
            initialised = inflated ? rows.count : 0
        }
        guard inflated else { return nil }

        // Each row is unfiltered, then turned into luma and alpha while it is in cache.
        let count = width * height
        let hasAlpha = channels == 2 || channels == 4
        var (unfiltered, opaque): (Bool, UInt8) = (true, 255)
        var alpha: [UInt8] = []
        let luma = [UInt8](unsafeUninitializedCapacity: count) { luma, lumaCount in
            alpha = [UInt8](unsafeUninitializedCapacity: hasAlpha ? count : 0) { alpha, alphaCount in
                rows.withUnsafeMutableBufferPointer { rows in
                    let zeros = [UInt8](repeating: 0, count: stride)
                    zeros.withUnsafeBufferPointer { zeros in
                        for y in 0..<height {
                            let row = rows.baseAddress! + y * stride
                            let above = y == 0 ? zeros.baseAddress! : UnsafePointer(row - stride)
                            guard RowFilter.undo(row[0], row: row + 1, above: above + 1, count: stride - 1, bytesPerPixel: channels) else {
                                unfiltered = false
                                return
                            }
                            opaque &= Self.convert(
                                row + 1, width: width, channels: channels, luma: luma.baseAddress! + y * width,
                                alpha: hasAlpha ? alpha.baseAddress! + y * width : nil)
                        }
                    }
                }
                alphaCount = unfiltered && hasAlpha ? count : 0
            }
            lumaCount = unfiltered ? count : 0
        }
        guard unfiltered else { return nil }
        return LumaAlphaImage(width: width, height: height, luma: luma, alpha: opaque == 255 ? nil : alpha)
    }

    /// One unfiltered row of samples into luma (and alpha, for the layouts that have it).
    /// Returns the AND of the row's alpha bytes: 255 when every pixel is opaque.
    @inline(__always)
    private static func convert(
        _ samples: UnsafePointer<UInt8>, width: Int, channels: Int, luma: UnsafeMutablePointer<UInt8>, alpha: UnsafeMutablePointer<UInt8>?
    ) -> UInt8 {
        switch channels {
        case 1:
            luma.update(from: samples, count: width)
            return 255
        case 2:
            var all: UInt8 = 255
            for x in 0..<width {
                luma[x] = samples[2 * x]
                alpha![x] = samples[2 * x + 1]
                all &= samples[2 * x + 1]
            }
            return all
        case 3:
            for x in 0..<width { luma[x] = LumaAlphaImage.luma(red: samples[3 * x], green: samples[3 * x + 1], blue: samples[3 * x + 2]) }
            return 255
        default:
            return LumaAlphaImage.convertRGBA(samples, count: width, luma: luma, alpha: alpha!)
        }
    }

    /// What IHDR says, for the images the fast path takes.
    struct Header {
        let width: Int
        let height: Int
        /// Samples (bytes) per pixel: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA.
        let channels: Int
    }

    /// A PNG's chunks, checked: the signature, every CRC, IHDR first, image data, IEND last.
    struct Chunks {
        let header: Header
        /// Where each IDAT chunk's data lies in the file, in order.
        private var imageData: [Range<Int>] = []
        private let bytes: UnsafeBufferPointer<UInt8>

        private static let (ihdr, plte, idat, iend, trns): (UInt32, UInt32, UInt32, UInt32, UInt32) = (
            0x4948_4452, 0x504C_5445, 0x4944_4154, 0x4945_4E44, 0x7452_4E53
        )

        init?(_ bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            let signature = PNGFormat.signature
            guard bytes.count >= signature.count, signature.indices.allSatisfy({ bytes[$0] == signature[$0] }) else { return nil }
            // IHDR comes first.
            guard let (type, data) = Self.chunk(in: bytes, at: signature.count), type == Self.ihdr, data.count == 13,
                let header = Self.header(bytes, at: data.lowerBound)
            else { return nil }
            self.header = header
            var offset = data.upperBound + 4
            while true {
                guard let (type, data) = Self.chunk(in: bytes, at: offset) else { return nil }
                switch type {
                case Self.idat: imageData.append(data)
                case Self.iend:
                    guard !imageData.isEmpty else { return nil }
                    return
                // A second header, or a colour key that would make some pixels transparent: libpng's.
                case Self.ihdr, Self.trns: return nil
                // A suggested palette for an RGB image changes nothing.
                case Self.plte: guard header.channels >= 3 else { return nil }
                default:
                    // Ancillary chunks (lower-case first letter) may be skipped; unknown critical ones not.
                    guard type & 0x2000_0000 != 0 else { return nil }
                }
                offset = data.upperBound + 4
            }
        }

        /// The type and data range of the chunk at `offset`; nil when it runs past the end or
        /// its CRC is wrong.
        private static func chunk(in bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> (type: UInt32, data: Range<Int>)? {
            guard bytes.count - offset >= 12 else { return nil }
            let length = Int(PNGFormat.bigEndian(bytes, at: offset))
            guard length <= bytes.count - offset - 12 else { return nil }
            let data = offset + 8..<offset + 8 + length
            let crc = libdeflate_crc32(0, bytes.baseAddress! + offset + 4, length + 4)
            guard crc == PNGFormat.bigEndian(bytes, at: data.upperBound) else { return nil }
            return (PNGFormat.bigEndian(bytes, at: offset + 4), data)
        }

        /// Calls `body` with the zlib stream: the IDAT chunks' data, joined when there are several.
        func withImageData<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
            if imageData.count == 1 { return body(UnsafeBufferPointer(rebasing: bytes[imageData[0]])) }
            let joined = imageData.flatMap { bytes[$0] }
            return joined.withUnsafeBufferPointer(body)
        }

        private static func header(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Header? {
            let width = Int(PNGFormat.bigEndian(bytes, at: offset))
            let height = Int(PNGFormat.bigEndian(bytes, at: offset + 4))
            let (depth, colourType, compression, filter, interlace) = (
                bytes[offset + 8], bytes[offset + 9], bytes[offset + 10], bytes[offset + 11], bytes[offset + 12]
            )
            let channels: Int
            switch colourType {
            case 0: channels = 1
            case 2: channels = 3
            case 4: channels = 2
            case 6: channels = 4
            default: return nil
            }
            guard depth == 8, compression == 0, filter == 0, interlace == 0, width > 0, height > 0,
                width <= DrawingLimits.maxSide, height <= DrawingLimits.maxSide, width * height <= DrawingLimits.maxPixels
            else { return nil }
            return Header(width: width, height: height, channels: channels)
        }
    }
}

/// PNG's five row filters, undone in place (PNG specification, section 9).
///
/// Canvases write RGBA with adaptive filtering, so every filter turns up; for four bytes a
/// pixel they are undone a pixel at a time in vector lanes (Up 32 bytes at a time), other
/// pixel sizes byte by byte.
enum RowFilter {
    /// Undoes filter `type` on `row`, given the row above, already unfiltered (zeros for the
    /// first row). False for a filter type that does not exist.
    static func undo(_ type: UInt8, row: UnsafeMutablePointer<UInt8>, above: UnsafePointer<UInt8>, count: Int, bytesPerPixel bpp: Int)
        -> Bool
    {
        switch type {
        case 0: return true
        case 1: bpp == 4 ? sub4(row, count: count) : sub(row, count: count, bpp: bpp)
        case 2: up(row, above: above, count: count)
        case 3: bpp == 4 ? average4(row, above: above, count: count) : average(row, above: above, count: count, bpp: bpp)
        case 4: bpp == 4 ? paeth4(row, above: above, count: count) : paeth(row, above: above, count: count, bpp: bpp)
        default: return false
        }
        return true
    }

    /// Sub: each byte adds the byte a pixel to its left.
    static func sub(_ row: UnsafeMutablePointer<UInt8>, count: Int, bpp: Int) {
        var i = bpp
        while i < count {
            row[i] &+= row[i - bpp]
            i += 1
        }
    }

    /// Up: each byte adds the byte above.
    static func up(_ row: UnsafeMutablePointer<UInt8>, above: UnsafePointer<UInt8>, count: Int) {
        var i = 0
        while i + 32 <= count {
            let sum = load(SIMD32<UInt8>.self, row + i) &+ load(SIMD32<UInt8>.self, above + i)
            UnsafeMutableRawPointer(row + i).storeBytes(of: sum, as: SIMD32<UInt8>.self)
            i += 32
        }
        while i < count {
            row[i] &+= above[i]
            i += 1
        }
    }

    /// Average: each byte adds the mean (rounded down) of the byte to its left and the one above.
    static func average(_ row: UnsafeMutablePointer<UInt8>, above: UnsafePointer<UInt8>, count: Int, bpp: Int) {
        var i = 0
        while i < count {
            let left = i >= bpp ? UInt16(row[i - bpp]) : 0
            row[i] &+= UInt8(truncatingIfNeeded: (left + UInt16(above[i])) >> 1)
            i += 1
        }
    }

    /// Paeth: each byte adds whichever of left, above and upper-left is nearest to
    /// left + above − upper-left (ties: left, then above).
    static func paeth(_ row: UnsafeMutablePointer<UInt8>, above: UnsafePointer<UInt8>, count: Int, bpp: Int) {
        var i = 0
        while i < count {
            let (left, upperLeft) = i >= bpp ? (row[i - bpp], above[i - bpp]) : (0, 0)
            row[i] &+= paethPredictor(left, above[i], upperLeft)
            i += 1
        }
    }

    @inline(__always)
    static func paethPredictor(_ left: UInt8, _ above: UInt8, _ upperLeft: UInt8) -> UInt8 {
        let (a, b, c) = (Int16(left), Int16(above), Int16(upperLeft))
        let (pa, pb, pc) = (abs(b - c), abs(a - c), abs(a + b - 2 * c))
        if pa <= pb && pa <= pc { return left }
        return pb <= pc ? above : upperLeft
    }

    // Four bytes a pixel: the same filters, one pixel's four bytes per step.

    static func sub4(_ row: UnsafeMutablePointer<UInt8>, count: Int) {
        var left = SIMD4<UInt8>()
        for pixel in Swift.stride(from: 0, to: count, by: 4) {
            left &+= load(SIMD4<UInt8>.self, row + pixel)
            store(left, row + pixel)
        }
    }

    static func average4(_ row: UnsafeMutablePointer<UInt8>, above: UnsafePointer<UInt8>, count: Int) {
        var left = SIMD4<UInt16>()
        for pixel in Swift.stride(from: 0, to: count, by: 4) {
            let up = SIMD4<UInt16>(truncatingIfNeeded: load(SIMD4<UInt8>.self, above + pixel))
            let value = load(SIMD4<UInt8>.self, row + pixel) &+ SIMD4<UInt8>(truncatingIfNeeded: (left &+ up) &>> 1)
            store(value, row + pixel)
            left = SIMD4<UInt16>(truncatingIfNeeded: value)
        }
    }

    static func paeth4(_ row: UnsafeMutablePointer<UInt8>, above: UnsafePointer<UInt8>, count: Int) {
        var (left, upperLeft) = (SIMD4<Int16>(), SIMD4<Int16>())
        for pixel in Swift.stride(from: 0, to: count, by: 4) {
            let up = SIMD4<Int16>(truncatingIfNeeded: load(SIMD4<UInt8>.self, above + pixel))
            let pa = magnitude(up &- upperLeft)
            let pb = magnitude(left &- upperLeft)
            let pc = magnitude(left &+ up &- 2 &* upperLeft)
            // Left where pa is smallest; else above where pb ≤ pc; else upper-left.
            var predictor = upperLeft
            predictor.replace(with: up, where: pb .<= pc)
            predictor.replace(with: left, where: (pa .<= pb) .& (pa .<= pc))
            let value = load(SIMD4<UInt8>.self, row + pixel) &+ SIMD4<UInt8>(truncatingIfNeeded: predictor)
            store(value, row + pixel)
            (left, upperLeft) = (SIMD4<Int16>(truncatingIfNeeded: value), up)
        }
    }

    @inline(__always)
    private static func magnitude(_ value: SIMD4<Int16>) -> SIMD4<Int16> {
        value.replacing(with: 0 &- value, where: value .< 0)
    }

    @inline(__always)
    private static func load<Vector: SIMD>(_: Vector.Type, _ pointer: UnsafePointer<UInt8>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    private static func load<Vector: SIMD>(_: Vector.Type, _ pointer: UnsafeMutablePointer<UInt8>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    private static func store<Vector: SIMD>(_ value: Vector, _ pointer: UnsafeMutablePointer<UInt8>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
    }
}
