/// Turns a drawing into what an MNIST-trained network expects, the way MNIST's digits were
/// made: crop to the ink, scale the longer side to 20 pixels keeping the aspect ratio
/// (averaging areas, so grey levels survive), and place the result in 28x28 with its centre
/// of mass at the centre.
///
/// Measured on MNIST's training images, the centre of mass sits at pixel index 14.0 in both
/// directions (the middle of pixel 14, 14.5 in continuous coordinates): that is where the
/// normaliser puts it, rather than at the geometric centre 14.0.
public enum DigitNormaliser {
    public static let side = 28
    public static let boxSide = 20
    /// Where the centre of mass goes, in continuous pixel coordinates.
    static let centre: Float = 14.5
    /// Ink below this is noise: it neither enlarges the crop nor moves the centre of mass.
    static let noiseFloor: Float = 0.02
    /// A drawing whose strongest ink is weaker than this is blank.
    static let blankBelow: Float = 0.2

    /// Normalises decoded ink; throws `.blank` when there is no ink to read.
    public static func normalise(_ image: InkImage) throws(DrawingError) -> NormalisedDigit {
        let (width, height) = (image.width, image.height)
        let ink = image.ink.map { $0 < noiseFloor ? 0 : $0 }
        guard let strongest = ink.max(), strongest >= blankBelow else { throw .blank }

        // The ink's bounding box and centre of mass, at full resolution, from the sums of
        // the rows and of the columns (two passes the compiler vectorises, no branches).
        var rowSums = [Float](repeating: 0, count: height)
        var columnSums = [Float](repeating: 0, count: width)
        ink.withUnsafeBufferPointer { ink in
            columnSums.withUnsafeMutableBufferPointer { columns in
                for y in 0..<height {
                    var sum: Float = 0
                    for x in 0..<width {
                        let value = ink[y * width + x]
                        sum += value
                        columns[x] += value
                    }
                    rowSums[y] = sum
                }
            }
        }
        let (minY, maxY) = (rowSums.firstIndex { $0 > 0 }!, rowSums.lastIndex { $0 > 0 }!)
        let (minX, maxX) = (columnSums.firstIndex { $0 > 0 }!, columnSums.lastIndex { $0 > 0 }!)
        var (mass, momentX, momentY): (Double, Double, Double) = (0, 0, 0)
        for y in minY...maxY {
            mass += Double(rowSums[y])
            momentY += Double(rowSums[y]) * (Double(y) + 0.5)
        }
        for x in minX...maxX { momentX += Double(columnSums[x]) * (Double(x) + 0.5) }
        let longerSide = max(maxX - minX + 1, maxY - minY + 1)
        let scale = Float(boxSide) / Float(longerSide)
        let centreX = Float(momentX / mass)
        let centreY = Float(momentY / mass)

        // Target pixel i covers [i, i + 1); it sees source [c + (i − centre)/scale, …).
        let columns = BoxFilter(sourceCount: width, targetCount: side, origin: centreX - centre / scale, scale: scale)
        let rows = BoxFilter(sourceCount: height, targetCount: side, origin: centreY - centre / scale, scale: scale)
        var horizontal = [Float](repeating: 0, count: height * side)
        ink.withUnsafeBufferPointer { ink in
            horizontal.withUnsafeMutableBufferPointer { horizontal in
                // Rows outside the ink's bounding box hold no ink.
                for y in minY...maxY {
                    for i in 0..<side { horizontal[y * side + i] = columns.apply(i, to: ink, start: y * width, stride: 1) }
                }
            }
        }
        var pixels = [Float](repeating: 0, count: side * side)
        horizontal.withUnsafeBufferPointer { horizontal in
            for j in 0..<side {
                for i in 0..<side { pixels[j * side + i] = rows.apply(j, to: horizontal, start: i, stride: side) }
            }
        }
        // Thin strokes come out faint after averaging; MNIST's strokes reach full ink.
        if let peak = pixels.max(), peak > 0, peak < 1 { pixels = pixels.map { $0 / peak } }
        return NormalisedDigit(pixels: pixels.map { min(max($0, 0), 1) })
    }

    /// Decodes a PNG and normalises it.
    public static func normalise(png bytes: [UInt8]) throws(DrawingError) -> NormalisedDigit {
        try normalise(InkImage(PNGCodec.decode(bytes)))
    }

}

/// A box filter from `sourceCount` pixels to `targetCount`: for each target pixel, the run of
/// source pixels it overlaps and their weights (overlap length divided by the target pixel's
/// length in source units), so averaging preserves the mean ink and the centre of mass.
/// Flat arrays rather than an array per target pixel: this runs on every guess.
struct BoxFilter {
    /// The first source pixel of each target pixel's run.
    private var first: [Int] = []
    /// Target pixel i's weights are `weights[offsets[i]..<offsets[i + 1]]`.
    private var offsets: [Int] = [0]
    private var weights: [Float] = []

    init(sourceCount: Int, targetCount: Int, origin: Float, scale: Float) {
        let span = 1 / scale
        for i in 0..<targetCount {
            let start = origin + Float(i) * span
            let end = start + span
            var x = max(0, Int(start.rounded(.down)))
            first.append(x)
            while x < sourceCount, Float(x) < end {
                // Overlaps can be zero at the edges; a zero weight keeps the run contiguous.
                weights.append(max(0, min(end, Float(x + 1)) - max(start, Float(x))) / span)
                x += 1
            }
            offsets.append(weights.count)
        }
    }

    /// Target pixel `target`'s value from `source`, whose pixel k is at `start + k * stride`.
    func apply(_ target: Int, to source: UnsafeBufferPointer<Float>, start: Int, stride: Int) -> Float {
        var sum: Float = 0
        var index = start + first[target] * stride
        for k in offsets[target]..<offsets[target + 1] {
            sum += weights[k] * source[index]
            index += stride
        }
        return sum
    }
}
