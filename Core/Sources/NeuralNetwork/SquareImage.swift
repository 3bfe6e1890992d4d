/// Reading a square image of floats between its pixels, for the transforms that move ink
/// (`Deskewing`, `AffineJitter`).
enum SquareImage {
    /// The image at (x, y) in pixel units, interpolated bilinearly between the four nearest
    /// pixels; ink outside the image counts as none.
    @inline(__always)
    static func bilinear(_ image: UnsafeBufferPointer<Float>, side: Int, x: Float, y: Float) -> Float {
        let (x0, y0) = (Int(x.rounded(.down)), Int(y.rounded(.down)))
        let (fx, fy) = (x - Float(x0), y - Float(y0))
        func at(_ column: Int, _ row: Int) -> Float {
            column >= 0 && column < side && row >= 0 && row < side ? image[row * side + column] : 0
        }
        let top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx
        let bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx
        return top * (1 - fy) + bottom * fy
    }
}
