import CLibDeflate
import Testing

@testable import DigitImaging

/// The canvas fast path decodes exactly what libpng decodes, for every layout and every row
/// filter it takes, and hands everything else to libpng.
@Suite struct CanvasPNGDecoderTests {
    /// A picture with something in every channel: gradients, a stroke, varying alpha.
    static func samples(width: Int, height: Int, channels: Int, opaque: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let ink = abs(x - y) < 3 ? 0 : 200 + (x * 7 + y * 3) % 56
                let pixel: [UInt8] = [UInt8(ink), UInt8((x * 37) % 256), UInt8((y * 91 + x) % 256), opaque ? 255 : UInt8((x * y) % 256)]
                switch channels {
                case 1: bytes.append(pixel[0])
                case 2: bytes += [pixel[0], pixel[3]]
                case 3: bytes += pixel[0..<3]
                default: bytes += pixel
                }
            }
        }
        return bytes
    }

    static let layouts: [(channels: Int, layout: PNGCodec.Layout)] = [(1, .grey), (2, .greyAlpha), (3, .rgb), (4, .rgba)]

    @Test(arguments: 1...4, 0...5)
    func everyLayoutAndFilterDecodesAsLibpngDoes(channels: Int, filter: Int) throws {
        // Filter 5 stands for "a different filter on each row", as adaptive encoders write.
        let (width, height) = (37, 23)
        let pixels = Self.samples(width: width, height: height, channels: channels)
        let png = HandMadePNG.encode(pixels, width: width, height: height, channels: channels, filter: { filter == 5 ? $0 % 5 : filter })
        let fast = try #require(png.withUnsafeBufferPointer(CanvasPNGDecoder.decode))
        let reference = LumaAlphaImage(try PNGCodec.decode(png))
        #expect(fast == reference)
    }

    @Test(arguments: layouts)
    func libpngsOwnFilesDecodeTheSame(channels: Int, layout: PNGCodec.Layout) throws {
        let (width, height) = (280, 280)
        let pixels = Self.samples(width: width, height: height, channels: channels)
        let png = PNGCodec.encode(pixels, width: width, height: height, layout: layout)
        let fast = try #require(png.withUnsafeBufferPointer(CanvasPNGDecoder.decode))
        #expect(fast == LumaAlphaImage(try PNGCodec.decode(png)))
    }

    @Test func imageDataSplitOverSeveralChunksIsJoined() throws {
        let pixels = Self.samples(width: 50, height: 40, channels: 4)
        let png = HandMadePNG.encode(pixels, width: 50, height: 40, channels: 4, filter: { $0 % 5 }, chunkSize: 100)
        let fast = try #require(png.withUnsafeBufferPointer(CanvasPNGDecoder.decode))
        #expect(fast == LumaAlphaImage(try PNGCodec.decode(png)))
    }

    @Test func opaquePicturesCarryNoAlpha() throws {
        var pixels = Self.samples(width: 20, height: 20, channels: 4, opaque: true)
        let opaque = HandMadePNG.encode(pixels, width: 20, height: 20, channels: 4, filter: { _ in 4 })
        #expect(try #require(opaque.withUnsafeBufferPointer(CanvasPNGDecoder.decode)).alpha == nil)
        pixels[4 * 217 + 3] = 254
        let oneTranslucent = HandMadePNG.encode(pixels, width: 20, height: 20, channels: 4, filter: { _ in 4 })
        #expect(try #require(oneTranslucent.withUnsafeBufferPointer(CanvasPNGDecoder.decode)).alpha?[217] == 254)
    }

    /// Palettes and 16-bit samples are libpng's; so is anything damaged, and libpng words the error.
    @Test func whatTheFastPathDoesNotTakeGoesToLibpng() throws {
        let grey16 = PNGCodec.encode([UInt8](repeating: 9, count: 2 * 100), width: 10, height: 10, layout: .grey16)
        let palette = PNGCodec.encode([UInt8](repeating: 0, count: 100), width: 10, height: 10, layout: .palette, colormap: [1, 2, 3])
        for png in [grey16, palette] {
            #expect(png.withUnsafeBufferPointer(CanvasPNGDecoder.decode) == nil)
            #expect(try PNGCodec.decodeLumaAlpha(png) == LumaAlphaImage(PNGCodec.decode(png)))
        }
        let good = HandMadePNG.encode(
            Self.samples(width: 30, height: 30, channels: 4), width: 30, height: 30, channels: 4, filter: { _ in 1 })
        var badChecksum = good
        badChecksum[50] ^= 0xFF  // inside the image data
        let truncated = Array(good.prefix(good.count - 30))
        let interlaced = HandMadePNG.encode(
            Self.samples(width: 30, height: 30, channels: 4), width: 30, height: 30, channels: 4, filter: { _ in 0 }, interlace: 1)
        let unknownFilter = HandMadePNG.encode(
            Self.samples(width: 30, height: 30, channels: 4), width: 30, height: 30, channels: 4, filter: { _ in 0 }, filterByte: 7)
        for png in [badChecksum, truncated, interlaced, unknownFilter] {
            #expect(png.withUnsafeBufferPointer(CanvasPNGDecoder.decode) == nil)
            #expect { try PNGCodec.decodeLumaAlpha(png) } throws: { error in
                guard case .notPNG = error as? DrawingError else { return false }
                return true
            }
        }
    }

    @Test func oversizedHeadersAreRefusedBeforeInflating() {
        let wide = HandMadePNG.encode([UInt8](repeating: 0, count: 5000), width: 5000, height: 1, channels: 1, filter: { _ in 0 })
        #expect(wide.withUnsafeBufferPointer(CanvasPNGDecoder.decode) == nil)
        #expect(throws: DrawingError.tooLarge(width: 5000, height: 1, maxSide: 2048, maxPixels: 2048 * 2048)) {
            try PNGCodec.decodeLumaAlpha(wide)
        }
    }

    /// The vectorised four-byte Paeth agrees with the byte-by-byte one on every neighbourhood
    /// that matters: all 0/1/127/128/254/255 combinations of left, above and upper-left.
    @Test func paethInLanesMatchesPaethByBytes() {
        let levels: [UInt8] = [0, 1, 127, 128, 254, 255]
        var above: [UInt8] = []
        var row: [UInt8] = []
        for a in levels {
            for b in levels {
                for c in levels {
                    for raw in [0, 77] as [UInt8] {
                        above += [c, c, c, c, b, b, b, b]
                        row += [a, a, a, a, raw, raw, raw, raw]
                    }
                }
            }
        }
        var lanes = row
        var bytes = row
        lanes.withUnsafeMutableBufferPointer { r in
            above.withUnsafeBufferPointer { RowFilter.paeth4(r.baseAddress!, above: $0.baseAddress!, count: r.count) }
        }
        bytes.withUnsafeMutableBufferPointer { r in
            above.withUnsafeBufferPointer { RowFilter.paeth(r.baseAddress!, above: $0.baseAddress!, count: r.count, bpp: 4) }
        }
        #expect(lanes == bytes)
    }
}

/// A PNG writer for the tests, independent of libpng: each row filtered with the filter the
/// test chooses, the data compressed with libdeflate and cut into IDAT chunks of `chunkSize`.
enum HandMadePNG {
    static func encode(
        _ pixels: [UInt8], width: Int, height: Int, channels: Int, filter: (Int) -> Int, chunkSize: Int = 1 << 20,
        interlace: UInt8 = 0, filterByte: UInt8? = nil
    ) -> [UInt8] {
        let rowBytes = width * channels
        var data: [UInt8] = []
        for y in 0..<height {
            let type = filter(y)
            data.append(filterByte ?? UInt8(type))
            for i in 0..<rowBytes {
                let value = Int(pixels[y * rowBytes + i])
                let left = i >= channels ? Int(pixels[y * rowBytes + i - channels]) : 0
                let up = y > 0 ? Int(pixels[(y - 1) * rowBytes + i]) : 0
                let upperLeft = y > 0 && i >= channels ? Int(pixels[(y - 1) * rowBytes + i - channels]) : 0
                let predicted: Int
                switch type {
                case 1: predicted = left
                case 2: predicted = up
                case 3: predicted = (left + up) / 2
                case 4: predicted = Int(RowFilter.paethPredictor(UInt8(left), UInt8(up), UInt8(upperLeft)))
                default: predicted = 0
                }
                data.append(UInt8((value - predicted) & 0xFF))
            }
        }
        let compressor = libdeflate_alloc_compressor(6)!
        defer { libdeflate_free_compressor(compressor) }
        var compressed = [UInt8](repeating: 0, count: libdeflate_zlib_compress_bound(compressor, data.count))
        let size = libdeflate_zlib_compress(compressor, data, data.count, &compressed, compressed.count)
        compressed.removeLast(compressed.count - size)

        let header = PNGFormat.bigEndian(UInt32(width)) + PNGFormat.bigEndian(UInt32(height)) + [8, colourType(channels), 0, 0, interlace]
        var png = PNGFormat.signature + PNGFormat.chunk("IHDR", header)
        for start in stride(from: 0, to: compressed.count, by: chunkSize) {
            png += PNGFormat.chunk("IDAT", Array(compressed[start..<min(compressed.count, start + chunkSize)]))
        }
        return png + PNGFormat.chunk("IEND", [])
    }

    static func colourType(_ channels: Int) -> UInt8 { [0, 0, 4, 2, 6][channels] }
}
