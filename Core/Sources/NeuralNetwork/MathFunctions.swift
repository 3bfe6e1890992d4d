#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// The C library's exp, log and cos are all this module takes from outside the standard library.

/// σ(z) = 1 / (1 + e^(−z)), the book's `sigmoid`.
@inline(__always) func sigmoid(_ z: Float) -> Float {
    1 / (1 + expf(-z))
}
