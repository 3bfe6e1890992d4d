/// What a PNG says about itself before any of it is inflated: its size, and whether it holds
/// more compressed data than an image of that size can need.
///
/// A decoder inflates whatever image data a file carries, so a small file can cost seconds:
/// a valid 28x28 image followed by megabytes of compressed zeros (gigabytes inflated) kept the
/// server busy for seconds. Deflate never makes data much larger than it was (stored blocks add 5 bytes
/// per 65,535), so a file whose image data is larger than the image it describes, uncompressed,
/// holds data no decoder needs: it is refused here, after a walk over the chunk headers that
/// costs well under a microsecond for a drawing, before any inflating.
public struct PNGPreflight: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Bytes of compressed image data (the IDAT chunks) in the file.
    public let compressedBytes: Int
    /// The most compressed image data a PNG of this size and layout can need.
    public let compressedLimit: Int

    /// The pixels the image has.
    public var pixels: Int { width * height }

    /// Bytes of metadata (every chunk but IHDR, IDAT and IEND) a drawing may carry: canvases
    /// write none or a few dozen bytes; a colour profile takes a few kilobytes.
    public static let maxMetadataBytes = 256 << 10

    /// Reads the header and sums the chunks. A file too damaged to walk is left to the
    /// decoder, which says what is wrong with it; what this throws is what no decoder should
    /// spend time on: no pixels, too many, or more data than they need.
    public init(_ bytes: UnsafeBufferPointer<UInt8>) throws(DrawingError) {
        let signature = PNGFormat.signature
        guard bytes.count >= signature.count + 25, signature.indices.allSatisfy({ bytes[$0] == signature[$0] }),
            PNGFormat.bigEndian(bytes, at: 12) == Self.ihdr, PNGFormat.bigEndian(bytes, at: 8) == 13
        else { throw .notPNG("it does not start with a PNG signature and header") }
        width = Int(PNGFormat.bigEndian(bytes, at: 16))
        height = Int(PNGFormat.bigEndian(bytes, at: 20))
        guard width > 0, height > 0 else { throw .empty }
        guard width <= DrawingLimits.maxSide, height <= DrawingLimits.maxSide, width * height <= DrawingLimits.maxPixels else {
            throw .tooLarge(width: width, height: height, maxSide: DrawingLimits.maxSide, maxPixels: DrawingLimits.maxPixels)
        }
        let (depth, colourType, interlaced) = (Int(bytes[24]), bytes[25], bytes[28] != 0)
        let samples =
            switch colourType {
            case 2: 3
            case 4: 2
            case 6: 4
            default: 1  // grey, palette; anything else the decoder refuses
            }
        // Each row: a filter byte, then its samples; Adam7's seven passes add at most a filter
        // byte and a partly filled byte for each of a pass's rows, 15 per image row in all.
        let rowBytes = (width * samples * max(1, min(depth, 16)) + 7) / 8 + 1
        let raw = height * rowBytes + (interlaced ? 15 * height : 0)
        // zlib's header and checksum, stored blocks' 5 bytes per 65,535, and room for encoders
        // that end with an empty block or two.
        compressedLimit = raw + 5 * (raw / 65_535 + 1) + 6 + 1024

        var (compressed, metadata, offset) = (0, 0, signature.count + 25)
        while bytes.count - offset >= 12 {
            let length = Int(PNGFormat.bigEndian(bytes, at: offset))
            let type = PNGFormat.bigEndian(bytes, at: offset + 4)
            if type == Self.iend { break }
            if type == Self.idat { compressed += length } else { metadata += length }
            offset += 12 + length
        }
        compressedBytes = compressed
        guard compressed <= compressedLimit else { throw .excessData(compressed: compressed, needed: compressedLimit) }
        guard metadata <= Self.maxMetadataBytes else { throw .excessMetadata(bytes: metadata, allowed: Self.maxMetadataBytes) }
    }

    public init(_ bytes: [UInt8]) throws(DrawingError) {
        self = try bytes.withUnsafeBufferPointer { bytes throws(DrawingError) in try PNGPreflight(bytes) }
    }

    private static let (ihdr, idat, iend): (UInt32, UInt32, UInt32) = (0x4948_4452, 0x4944_4154, 0x4945_4E44)
}
