import Testing

@testable import NeuralNetwork

@Suite struct AffineJitterTests {
    /// A 28x28 image with a filled 6x10 block whose top-left corner is (x, y).
    static func block(x: Int = 11, y: Int = 9) -> [Float] {
        var pixels = [Float](repeating: 0, count: 784)
        for row in y..<(y + 10) { for column in x..<(x + 6) { pixels[row * 28 + column] = 1 } }
        return pixels
    }

    static func centreOfMass(_ pixels: [Float]) -> (x: Float, y: Float) {
        var (mass, sx, sy): (Float, Float, Float) = (0, 0, 0)
        for y in 0..<28 {
            for x in 0..<28 {
                mass += pixels[y * 28 + x]
                sx += pixels[y * 28 + x] * Float(x)
                sy += pixels[y * 28 + x] * Float(y)
            }
        }
        return (sx / mass, sy / mass)
    }

    @Test func noLimitsLeaveTheImageAsItIs() {
        var generator = SeededGenerator(seed: 3)
        let image = Self.block()
        for _ in 0..<5 {
            #expect(AffineJitter.random(within: .none, using: &generator).apply(to: image[...]) == image)
        }
        #expect(AffineJitter.identity.apply(to: image[...]) == image)
    }

    @Test func aShiftMovesTheInkAndKeepsAllOfIt() {
        let image = Self.block()
        let moved = AffineJitter(forward: (1, 0, 0, 1), shift: (2, -1)).apply(to: image[...])
        let (before, after) = (Self.centreOfMass(image), Self.centreOfMass(moved))
        #expect(abs(after.x - before.x - 2) < 1e-4 && abs(after.y - before.y + 1) < 1e-4)
        #expect(moved.reduce(0, +) == image.reduce(0, +))
    }

    /// Each draw stays within its limits: the ink's area changes by the stretch alone, and its
    /// centre moves by no more than the shift and what rotation and shear do to a centred digit.
    @Test func randomChangesStayWithinTheirLimits() {
        let limits = AffineJitter.Limits.peoplesRepeats
        var generator = SeededGenerator(seed: 11)
        let image = Self.block()
        let ink = image.reduce(0, +)
        let (low, high) = ((1 - limits.stretch) * (1 - limits.stretch), (1 + limits.stretch) * (1 + limits.stretch))
        var moved = 0
        for _ in 0..<200 {
            let jitter = AffineJitter.random(within: limits, using: &generator)
            let determinant = jitter.forward.xx * jitter.forward.yy - jitter.forward.xy * jitter.forward.yx
            #expect(determinant >= low - 1e-4 && determinant <= high + 1e-4)
            #expect(abs(jitter.shift.x) <= limits.shift && abs(jitter.shift.y) <= limits.shift)
            let changed = jitter.apply(to: image[...])
            // Bilinear sampling of a stretched image: ink scales with the area.
            let ratio = changed.reduce(0, +) / ink
            #expect(ratio > low * 0.95 && ratio < high * 1.05, "ink ratio \(ratio)")
            let (before, after) = (Self.centreOfMass(image), Self.centreOfMass(changed))
            #expect(abs(after.x - before.x) < limits.shift + 0.5 && abs(after.y - before.y) < limits.shift + 0.5)
            if changed != image { moved += 1 }
        }
        #expect(moved == 200)
    }

    @Test func theSameSeedDrawsTheSameChanges() {
        var (first, second) = (SeededGenerator(seed: 5), SeededGenerator(seed: 5))
        let image = Self.block()
        for _ in 0..<10 {
            let a = AffineJitter.random(within: .peoplesRepeats, using: &first).apply(to: image[...])
            let b = AffineJitter.random(within: .peoplesRepeats, using: &second).apply(to: image[...])
            #expect(a == b)
        }
    }
}
