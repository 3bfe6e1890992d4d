import Testing

@testable import DigitImaging

@Suite struct NormalisationTests {
    /// Sevens of many sizes, places and stroke widths come out as 20-pixel digits with their
    /// centre of mass where MNIST's is.
    /// Sevens drawn on canvases of many sizes: (canvas, left, top, size, stroke radius).
    static let sevens: [(Int, Float, Float, Float, Float)] = [
        (280, 40, 30, 200, 12), (280, 150, 160, 100, 6), (100, 5, 5, 40, 2), (512, 300, 20, 180, 25), (1000, 100, 400, 500, 30),
    ]

    @Test(arguments: sevens + [(64, 20, 10, 40, 3)])
    func drawingsNormaliseToCentredTwentyPixelDigits(canvas: Int, left: Float, top: Float, size: Float, radius: Float) throws {
        let sketch = Sketch.seven(canvas: canvas, left: left, top: top, size: size, radius: radius)
        let digit = try DigitNormaliser.normalise(InkImage(grey: sketch.darkOnLight, width: canvas, height: canvas))
        let shape = geometry(digit)
        #expect((19...21).contains(max(shape.width, shape.height)), "box \(shape.width)x\(shape.height)")
        #expect(abs(shape.centreX - 14) < 0.3 && abs(shape.centreY - 14) < 0.3, "centre \(shape.centreX), \(shape.centreY)")
        #expect(digit.pixels.max() == 1)
        #expect(digit.pixels.min() == 0)
    }

    /// The fast normaliser is the plain one's mathematics summed in another order.
    @Test(arguments: sevens + [(33, 2, 3, 25, 1)])
    func fastNormaliserAgreesWithTheReference(canvas: Int, left: Float, top: Float, size: Float, radius: Float) throws {
        var sketch = Sketch.seven(canvas: canvas, left: left, top: top, size: size, radius: radius)
        // Noise below the floor, which neither version may count.
        for i in stride(from: 0, to: sketch.ink.count, by: 13) where sketch.ink[i] == 0 { sketch.ink[i] = 0.015 }
        let ink = try InkImage(width: canvas, height: canvas, ink: sketch.ink)
        let fast = try DigitNormaliser.normalise(ink)
        let reference = try ReferenceNormaliser.normalise(ink)
        let largest = zip(fast.pixels, reference.pixels).map { abs($0 - $1) }.max() ?? 0
        #expect(largest < 1e-4, "differs by \(largest)")
    }

    @Test func darkOnLightAndLightOnDarkAgree() throws {
        let sketch = Sketch.seven(canvas: 200, left: 30, top: 30, size: 140, radius: 8)
        let dark = try DigitNormaliser.normalise(InkImage(grey: sketch.darkOnLight, width: 200, height: 200))
        let light = try DigitNormaliser.normalise(InkImage(grey: sketch.lightOnDark, width: 200, height: 200))
        #expect(zip(dark.pixels, light.pixels).allSatisfy { abs($0 - $1) < 0.01 })
    }

    /// A canvas exported with transparent background: black strokes or white strokes.
    @Test func transparentCanvasesAreCompositedWhateverTheStrokeColour() throws {
        let sketch = Sketch.seven(canvas: 120, left: 20, top: 15, size: 80, radius: 5)
        let reference = try DigitNormaliser.normalise(InkImage(grey: sketch.lightOnDark, width: 120, height: 120))
        for stroke: UInt8 in [0, 255] {
            let rgba = sketch.ink.flatMap { [stroke, stroke, stroke, UInt8(($0 * 255).rounded())] }
            let png = PNGCodec.encode(rgba, width: 120, height: 120, layout: .rgba)
            let digit = try DigitNormaliser.normalise(png: png)
            #expect(zip(digit.pixels, reference.pixels).allSatisfy { abs($0 - $1) < 0.02 }, "stroke \(stroke)")
        }
    }

    @Test func blankDrawingsAreAnErrorNotAGuess() throws {
        let white = [UInt8](repeating: 255, count: 50 * 50)
        #expect(throws: DrawingError.blank) { try DigitNormaliser.normalise(InkImage(grey: white, width: 50, height: 50)) }
        let grey = [UInt8](repeating: 128, count: 50 * 50)
        #expect(throws: DrawingError.blank) { try DigitNormaliser.normalise(InkImage(grey: grey, width: 50, height: 50)) }
        let transparent = PNGCodec.encode([UInt8](repeating: 0, count: 40 * 40 * 4), width: 40, height: 40, layout: .rgba)
        #expect(throws: DrawingError.blank) { try DigitNormaliser.normalise(png: transparent) }
        // A faint smudge is still blank.
        var smudge = white
        smudge[1275] = 240
        #expect(throws: DrawingError.blank) { try DigitNormaliser.normalise(InkImage(grey: smudge, width: 50, height: 50)) }
    }

    @Test func rawBuffersMustMatchTheirSize() {
        #expect(throws: DrawingError.sizeMismatch(expected: 100, actual: 99)) {
            try InkImage(grey: [UInt8](repeating: 0, count: 99), width: 10, height: 10)
        }
        #expect(throws: DrawingError.empty) { try InkImage(grey: [], width: 0, height: 10) }
        #expect { try InkImage(grey: [], width: 5000, height: 5000) } throws: { "\($0)".contains("at most 2048") }
    }

    @Test func aSingleDotBecomesACentredBlob() throws {
        var sketch = Sketch(width: 30, height: 30)
        sketch.dab(3, 27, radius: 1)
        let digit = try DigitNormaliser.normalise(InkImage(grey: sketch.lightOnDark, width: 30, height: 30))
        let shape = geometry(digit)
        #expect(abs(shape.centreX - 14) < 0.3 && abs(shape.centreY - 14) < 0.3)
    }

    @Test func textPictureShowsInk() {
        let digit = NormalisedDigit(pixels: (0..<784).map { $0 == 0 ? 1 : 0 })
        let lines = digit.textPicture.split(separator: "\n")
        #expect(lines.count == 28)
        #expect(lines[0].hasPrefix("██  "))
    }
}
