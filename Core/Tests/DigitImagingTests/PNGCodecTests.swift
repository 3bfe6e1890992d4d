import Testing

@testable import DigitImaging

@Suite struct PNGCodecTests {
    /// A 3x2 picture: black, mid grey, white / white, black, white.
    let grey: [UInt8] = [0, 128, 255, 255, 0, 255]

    @Test(arguments: PNGCodec.Layout.allCases)
    func decodesEveryLayoutToRGBA(layout: PNGCodec.Layout) throws {
        var colormap: [UInt8] = []
        let pixels: [UInt8]
        switch layout {
        case .grey: pixels = grey
        case .greyAlpha: pixels = grey.flatMap { [$0, 255] }
        case .rgb: pixels = grey.flatMap { [$0, $0, $0] }
        case .rgba: pixels = grey.flatMap { [$0, $0, $0, 255] }
        case .grey16:
            pixels = grey.flatMap { value -> [UInt8] in
                let sample = UInt16(value) * 257
                return withUnsafeBytes(of: sample) { Array($0) }
            }
        case .palette:
            colormap = [0, 0, 0, 128, 128, 128, 255, 255, 255]
            pixels = grey.map { $0 == 0 ? 0 : $0 == 128 ? 1 : 2 }
        }
        let png = PNGCodec.encode(pixels, width: 3, height: 2, layout: layout, colormap: colormap)
        let image = try PNGCodec.decode(png)
        #expect(image.width == 3 && image.height == 2)
        let reds = stride(from: 0, to: image.pixels.count, by: 4).map { image.pixels[$0] }
        let alphas = stride(from: 3, to: image.pixels.count, by: 4).map { image.pixels[$0] }
        #expect(alphas.allSatisfy { $0 == 255 })
        // Black and white survive exactly; 16-bit mid grey is linear light, so it reads brighter in sRGB.
        #expect([reds[0], reds[2], reds[3], reds[4], reds[5]] == [0, 255, 255, 0, 255])
        if layout != .grey16 { #expect(reds[1] == 128) }
    }

    @Test func rejectsWhatIsNotAPNG() {
        #expect { try PNGCodec.decode(Array("GIF89a not a png".utf8)) } throws: { error in
            guard case .notPNG = error as? DrawingError else { return false }
            return true
        }
        #expect(throws: DrawingError.notPNG("no bytes")) { try PNGCodec.decode([]) }
    }

    @Test func rejectsATruncatedPNG() {
        let png = PNGCodec.encode([UInt8](repeating: 7, count: 100 * 100), width: 100, height: 100, layout: .grey)
        #expect { try PNGCodec.decode(Array(png.prefix(png.count - 20))) } throws: { error in
            guard case .notPNG = error as? DrawingError else { return false }
            return true
        }
    }

    @Test func refusesAbsurdSizesFromTheHeader() {
        let png = PNGCodec.encode([UInt8](repeating: 0, count: 5000), width: 5000, height: 1, layout: .grey)
        #expect(throws: DrawingError.tooLarge(width: 5000, height: 1, maxSide: 2048, maxPixels: 2048 * 2048)) {
            try PNGCodec.decode(png)
        }
    }

    @Test(arguments: [(1, 1), (28, 28), (3, 200), (301, 7)])
    func greyPNGsDecodeWithLibpngToTheSameBytes(width: Int, height: Int) throws {
        let grey = (0..<width * height).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / width) }
        let decoded = try PNGCodec.decode(PNGCodec.encodeGrey(grey, width: width, height: height))
        #expect(decoded.width == width && decoded.height == height)
        #expect(stride(from: 0, to: decoded.pixels.count, by: 4).map { decoded.pixels[$0] } == grey)
    }

    @Test func normalisedDigitEncodesAsA28x28GreyPNG() throws {
        let digit = NormalisedDigit(pixels: (0..<784).map { Float($0 % 28) / 27 })
        let decoded = try PNGCodec.decode(digit.png)
        #expect(decoded.width == 28 && decoded.height == 28)
        #expect(stride(from: 0, to: decoded.pixels.count, by: 4).map { decoded.pixels[$0] } == digit.bytes)
    }
}
