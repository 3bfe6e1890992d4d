/// A small random rotation, stretch, shear and shift of a square image about its centre: the
/// change each repeat of a person's digit gets in a retraining, so that a network shown one
/// drawing ten times learns the shape rather than those exact pixels.
///
/// With R(θ) the rotation, K(k) = [[1, k], [0, 1]] the shear, S = diag(sx, sy) the stretch, t the shift and
/// c the image's centre, output pixel p takes the input at c + (R·K·S)⁻¹·(p − c − t),
/// interpolated bilinearly (ink moved outside the image is lost).
///
/// Why people's digits and not MNIST's: augmenting MNIST with such changes lowered accuracy on
/// real pen digits (it teaches MNIST's variations, not people's), while jittering the repeats
/// of people's digits lifted it for writers who never contributed (docs/benchmarks.md,
/// learning from people).
public struct AffineJitter: Sendable {
    /// The largest change of each kind; each is drawn uniformly between minus and plus it.
    public struct Limits: Sendable, Equatable {
        /// Radians.
        public var rotation: Float
        /// A fraction of the size, drawn for each axis on its own.
        public var stretch: Float
        /// Horizontal movement per pixel of height.
        public var shear: Float
        /// Pixels, drawn for each axis on its own.
        public var shift: Float

        public init(rotation: Float, stretch: Float, shear: Float, shift: Float) {
            precondition(
                (0..<0.5).contains(rotation) && (0..<0.5).contains(stretch) && (0..<0.5).contains(shear) && shift >= 0,
                "jitter limits must be small: rotation \(rotation), stretch \(stretch), shear \(shear), shift \(shift)")
            self.rotation = rotation
            self.stretch = stretch
            self.shear = shear
            self.shift = shift
        }

        /// No change at all: every repeat is the drawing as stored.
        public static let none = Limits(rotation: 0, stretch: 0, shear: 0, shift: 0)

        /// What a retraining gives the repeats of people's digits: up to about 7°, 12% larger
        /// or smaller, a shear of 0.08 and 1.2 pixels off centre. Chosen on the learning
        /// benchmark among smaller and larger limits and checked on other splits of its writers
        /// (docs/benchmarks.md): smaller changes taught too little of the shape, larger ones got
        /// versions rejected for what they cost MNIST.
        public static let peoplesRepeats = Limits(rotation: 0.12, stretch: 0.12, shear: 0.08, shift: 1.2)

        /// The limits in words, for a version's stored hyperparameters.
        public var summary: String {
            self == .none
                ? "none"
                : "rotation ±\(rotation) rad, stretch ±\(stretch), shear ±\(shear), shift ±\(shift) px"
        }
    }

    /// R·K·S, row-major: output offset = forward · input offset + shift.
    let forward: (xx: Float, xy: Float, yx: Float, yy: Float)
    let shift: (x: Float, y: Float)

    /// The identity: the image as it is.
    public static let identity = AffineJitter(forward: (1, 0, 0, 1), shift: (0, 0))

    init(forward: (xx: Float, xy: Float, yx: Float, yy: Float), shift: (x: Float, y: Float)) {
        self.forward = forward
        self.shift = shift
    }

    /// One change drawn within `limits` (six draws from `generator`, in a fixed order).
    public static func random(within limits: Limits, using generator: inout some RandomNumberGenerator) -> AffineJitter {
        func uniform(_ limit: Float) -> Float { limit > 0 ? Float.random(in: -limit...limit, using: &generator) : 0 }
        let angle = uniform(limits.rotation)
        let (sx, sy) = (1 + uniform(limits.stretch), 1 + uniform(limits.stretch))
        let shear = uniform(limits.shear)
        let shift = (x: uniform(limits.shift), y: uniform(limits.shift))
        let (cosine, sine) = (Float(Platform.cosine(Double(angle))), Float(Platform.sine(Double(angle))))
        // R·K·S = [[cos, −sin], [sin, cos]] · [[sx, k·sy], [0, sy]]
        let forward = (
            xx: cosine * sx, xy: (cosine * shear - sine) * sy,
            yx: sine * sx, yy: (sine * shear + cosine) * sy
        )
        return AffineJitter(forward: forward, shift: shift)
    }

    /// The image moved; `pixels` holds a square image, row-major.
    public func apply(to pixels: ArraySlice<Float>) -> [Float] {
        var output = [Float](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in apply(input, into: output) }
        }
        return output
    }

    func apply(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
        let side = Int(Double(input.count).squareRoot())
        precondition(side * side == input.count, "jitter needs a square image, got \(input.count) pixels")
        let determinant = forward.xx * forward.yy - forward.xy * forward.yx
        precondition(determinant > 0.1, "jitter's transform \(forward) nearly collapses the image")
        let inverse = (
            xx: forward.yy / determinant, xy: -forward.xy / determinant,
            yx: -forward.yx / determinant, yy: forward.xx / determinant
        )
        let centre = Float(side) / 2
        for y in 0..<side {
            let dy = Float(y) - centre - shift.y
            for x in 0..<side {
                let dx = Float(x) - centre - shift.x
                output[y * side + x] = SquareImage.bilinear(
                    input, side: side, x: centre + inverse.xx * dx + inverse.xy * dy, y: centre + inverse.yx * dx + inverse.yy * dy)
            }
        }
    }
}
