import Testing

@testable import NeuralNetwork

@Suite struct DeskewingTests {
    /// A 28x28 image with a 3-pixel-wide line through (14, 14) at (14 + slant·(y − 14), y), rows 6–22.
    static func line(slant: Float, centre: Float = 14) -> [Float] {
        var pixels = [Float](repeating: 0, count: 784)
        for y in 6...22 {
            let x = centre + slant * (Float(y) - 14)
            for dx in -1...1 {
                let column = Int(x.rounded()) + dx
                if (0..<28).contains(column) { pixels[y * 28 + column] = 1 }
            }
        }
        return pixels
    }

    /// cov(x, y) / var(y) of the ink: the slant deskewing removes.
    static func slant(of pixels: [Float]) -> Float {
        var (mass, sx, sy) = (Float(0), Float(0), Float(0))
        for y in 0..<28 {
            for x in 0..<28 {
                mass += pixels[y * 28 + x]
                sx += pixels[y * 28 + x] * Float(x)
                sy += pixels[y * 28 + x] * Float(y)
            }
        }
        let (cx, cy) = (sx / mass, sy / mass)
        var (vy, cov) = (Float(0), Float(0))
        for y in 0..<28 {
            for x in 0..<28 {
                vy += pixels[y * 28 + x] * (Float(y) - cy) * (Float(y) - cy)
                cov += pixels[y * 28 + x] * (Float(x) - cx) * (Float(y) - cy)
            }
        }
        return cov / vy
    }

    @Test(arguments: [Float(0.5), -0.4, 0.25])
    func aSlantedStrokeComesOutUpright(slant: Float) {
        let slanted = Self.line(slant: slant)
        #expect(abs(Self.slant(of: slanted) - slant) < 0.05)
        let upright = Deskewing.deskew(slanted)
        #expect(abs(Self.slant(of: upright)) < 0.05)
        // Shearing moves ink, it does not make or lose it.
        let (inkBefore, inkAfter): (Float, Float) = (slanted.reduce(0, +), upright.reduce(0, +))
        #expect(abs(inkAfter - inkBefore) < 0.02 * inkBefore)
    }

    @Test func anUprightDigitCentredByMassIsLeftAlone() {
        let upright = Self.line(slant: 0)
        let deskewed = Deskewing.deskew(upright)
        for (a, b) in zip(upright, deskewed) { #expect(abs(a - b) < 1e-5) }
    }

    @Test func blankAndDegenerateImagesStayFinite() {
        #expect(Deskewing.deskew([Float](repeating: 0, count: 784)) == [Float](repeating: 0, count: 784))
        var dash = [Float](repeating: 0, count: 784)
        for x in 5...22 { dash[14 * 28 + x] = 1 }
        let deskewed = Deskewing.deskew(dash)
        #expect(deskewed.allSatisfy { $0.isFinite })
        let ink: Float = deskewed.reduce(0, +)
        #expect(abs(ink - 18) < 0.5)
    }

    @Test func samplesArePreparedOneByOne() {
        let images = Self.line(slant: 0.5) + Self.line(slant: -0.3)
        let samples = Samples(inputSize: 784, inputs: images, labels: [1, 7])
        let prepared = InputPreparation.deskewed.prepare(samples)
        #expect(Array(prepared.input(at: 0)) == Deskewing.deskew(Self.line(slant: 0.5)))
        #expect(Array(prepared.input(at: 1)) == Deskewing.deskew(Self.line(slant: -0.3)))
        #expect(prepared.labels == [1, 7])
        #expect(InputPreparation.centred.prepare(samples) == samples)
    }
}
