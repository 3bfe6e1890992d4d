/// σ(z) = 1 / (1 + e^(−z)), the book's `sigmoid`.
@inline(__always) func sigmoid(_ z: Float) -> Float {
    1 / (1 + Platform.exp(-z))
}
