import CLibDeflate
import Foundation
import Testing

@testable import DigitImaging

/// What is refused before any inflating: too many pixels, more compressed data than the
/// image needs, more metadata than a drawing carries; and what must never be refused.
@Suite struct PNGPreflightTests {
    /// A 28x28 drawing whose image data goes on with 8 MB of compressed zeros: the shape of
    /// the file that kept the server busy for 6 s (there with 2 GB of zeros).
    static func zeroBomb() -> [UInt8] {
        let drawing = HandMadePNG.encode([UInt8](repeating: 200, count: 28 * 28), width: 28, height: 28, channels: 1, filter: { _ in 0 })
        let zeros = [UInt8](repeating: 0, count: 8 << 20)
        let compressor = libdeflate_alloc_compressor(12)!
        defer { libdeflate_free_compressor(compressor) }
        var compressed = [UInt8](repeating: 0, count: libdeflate_deflate_compress_bound(compressor, zeros.count))
        compressed.removeLast(compressed.count - libdeflate_deflate_compress(compressor, zeros, zeros.count, &compressed, compressed.count))
        // Before IEND, another IDAT carrying the zeros.
        return Array(drawing.dropLast(12)) + PNGFormat.chunk("IDAT", compressed) + PNGFormat.chunk("IEND", [])
    }

    @Test func compressedZerosAfterTheImageAreRefusedUnread() throws {
        let bomb = Self.zeroBomb()
        #expect(bomb.count > 4096)
        #expect { try PNGPreflight(bomb) } throws: { error in
            guard case .excessData(let compressed, let needed)? = error as? DrawingError else { return false }
            return compressed > needed && needed < 2048
        }
        #expect { try DigitNormaliser.normalise(png: bomb) } throws: { "\($0)".contains("more than its size can need") }
        #expect { try PNGCodec.decode(bomb) } throws: { "\($0)".contains("more than its size can need") }
    }

    /// Deflate's worst case (stored blocks, for data that does not compress) is within the limit.
    @Test func incompressibleImagesPass() throws {
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<300 * 200 * 4).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let png = HandMadePNG.encode(noise, width: 300, height: 200, channels: 4, filter: { _ in 0 })
        let preflight = try PNGPreflight(png)
        #expect(preflight.compressedBytes > 300 * 200 * 4)
        #expect(preflight.compressedBytes <= preflight.compressedLimit)
        #expect(try PNGCodec.decode(png).width == 300)
        // libpng's own output, every layout, interlaced or not, also passes.
        for layout in PNGCodec.Layout.allCases {
            let pixels = (0..<64 * 48 * layout.bytesPerPixel).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = PNGCodec.encode(pixels, width: 64, height: 48, layout: layout, colormap: [UInt8](repeating: 9, count: 768))
            #expect(try PNGPreflight(encoded).pixels == 64 * 48)
        }
    }

    @Test func sizesAreReadFromTheHeader() throws {
        let wide = HandMadePNG.encode([UInt8](repeating: 0, count: 2049), width: 2049, height: 1, channels: 1, filter: { _ in 0 })
        #expect(throws: DrawingError.tooLarge(width: 2049, height: 1, maxSide: 2048, maxPixels: 2048 * 2048)) { try PNGPreflight(wide) }
        let drawing = HandMadePNG.encode([UInt8](repeating: 0, count: 40 * 30 * 4), width: 40, height: 30, channels: 4, filter: { _ in 4 })
        let preflight = try PNGPreflight(drawing)
        #expect((preflight.width, preflight.height) == (40, 30))
        #expect(throws: DrawingError.self) { try PNGPreflight(Array("GIF89a, not a PNG at all, really".utf8)) }
    }

    @Test func bulkyMetadataIsRefused() {
        let drawing = HandMadePNG.encode([UInt8](repeating: 0, count: 28 * 28), width: 28, height: 28, channels: 1, filter: { _ in 0 })
        let text = PNGFormat.chunk("tEXt", Array("Comment\0".utf8) + [UInt8](repeating: 65, count: 300 << 10))
        let padded = Array(drawing.prefix(33)) + text + Array(drawing.dropFirst(33))
        #expect(throws: DrawingError.excessMetadata(bytes: 8 + (300 << 10), allowed: 256 << 10)) { try PNGPreflight(padded) }
    }
}
