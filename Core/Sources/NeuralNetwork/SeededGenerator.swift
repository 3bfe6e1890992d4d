/// A seedable random number generator whose stream is fixed by its seed.
///
/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64 so that any 64-bit seed,
/// including 0, gives a well-mixed state. The standard library's `SystemRandomNumberGenerator`
/// cannot be seeded, and its `shuffled(using:)` may change algorithm between releases, so the
/// network draws every random number it needs from this type: the same seed reproduces a
/// training run bit for bit.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var mixer = seed
        func splitMix() -> UInt64 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, by: 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotateLeft(state.3, by: 45)
        return result
    }

    private func rotateLeft(_ value: UInt64, by amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }
}

extension RandomNumberGenerator {
    /// A uniform double in [0, 1), from the top 53 bits of one draw.
    mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform integer in `0..<bound`, without modulo bias (Lemire's multiply-and-reject).
    mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "nextIndex(below:) needs a positive bound, got \(bound)")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// A draw from N(mean, standardDeviation²), by the Box–Muller transform.
    mutating func nextGaussian(mean: Double = 0, standardDeviation: Double = 1) -> Double {
        // 1 − u lies in (0, 1], so the logarithm is finite.
        let u1 = 1 - nextUnitDouble()
        let u2 = nextUnitDouble()
        let radius = (-2 * Platform.naturalLog(u1)).squareRoot()
        return mean + standardDeviation * radius * Platform.cosine(2 * Double.pi * u2)
    }
}

extension Array {
    /// Shuffles in place with Fisher–Yates, drawing from `generator`: a fixed algorithm, so a
    /// seed gives the same order on every Swift release.
    mutating func fisherYatesShuffle(using generator: inout some RandomNumberGenerator) {
        guard count > 1 else { return }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = generator.nextIndex(below: i + 1)
            if i != j { swapAt(i, j) }
        }
    }
}
