/// Turns a drawing into what an MNIST-trained network expects, the way MNIST's digits were
/// made: crop to the ink, scale the longer side to 20 pixels keeping the aspect ratio
/// (averaging areas, so grey levels survive), and place the result in 28x28 with its centre
/// of mass at the centre.
///
/// Measured on MNIST's training images, the centre of mass sits at pixel index 14.0 in both
/// directions (the middle of pixel 14, 14.5 in continuous coordinates): that is where the
/// normaliser puts it, rather than at the geometric centre 14.0.
///
/// This runs on every guess, so it is written for speed (one pass for the sums, the box
/// filter applied to whole rows at a time); `ReferenceNormaliser` is the same mathematics
/// written plainly, and the tests hold the two together.
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
        return try image.ink.withUnsafeBufferPointer { ink throws(DrawingError) in
            // The ink's bounding box, centre of mass and strongest value, at full resolution,
            // from the sums of the rows and of the columns.
            let sums = InkSums(ink, width: width, height: height)
            guard sums.strongest >= blankBelow, let rows = sums.rowRange, let columns = sums.columnRange else { throw .blank }
            let longerSide = max(columns.count, rows.count)
            let scale = Float(boxSide) / Float(longerSide)
            let (centreX, centreY) = sums.centreOfMass(rows: rows, columns: columns)

            // Target pixel i covers [i, i + 1); it sees source [c + (i − centre)/scale, …).
            let across = BoxFilter(sourceCount: width, targetCount: side, origin: centreX - centre / scale, scale: scale)
            let down = BoxFilter(sourceCount: height, targetCount: side, origin: centreY - centre / scale, scale: scale)

            // Down first, whole rows at a time (a vectorised multiply-add per source row), over
            // the ink's columns only: vertical[j][x] = Σ_y down(j, y)·ink[y][x].
            let span = columns.count
            var vertical = [Float](repeating: 0, count: side * span)
            vertical.withUnsafeMutableBufferPointer { vertical in
                for j in 0..<side {
                    let target = vertical.baseAddress! + j * span
                    down.forEachWeight(of: j) { y, weight in
                        // Rows outside the ink's bounding box hold no ink.
                        guard rows.contains(y), weight > 0 else { return }
                        let source = ink.baseAddress! + y * width + columns.lowerBound
                        for x in 0..<span {
                            let value = source[x]
                            target[x] += weight * (value < noiseFloor ? 0 : value)
                        }
                    }
                }
            }
            // Then across: pixels[j][i] = Σ_x across(i, x)·vertical[j][x].
            var pixels = [Float](repeating: 0, count: side * side)
            vertical.withUnsafeBufferPointer { vertical in
                for i in 0..<side {
                    across.forEachWeight(of: i) { x, weight in
                        guard columns.contains(x) else { return }
                        for j in 0..<side { pixels[j * side + i] += weight * vertical[j * span + x - columns.lowerBound] }
                    }
                }
            }
            // Thin strokes come out faint after averaging; MNIST's strokes reach full ink.
            let peak = pixels.max() ?? 0
            let gain: Float = peak > 0 && peak < 1 ? 1 / peak : 1
            return NormalisedDigit(pixels: pixels.map { min(max($0 * gain, 0), 1) })
        }
    }

    /// Decodes a PNG and normalises it. Canvas-style PNGs take the fast path
    /// (`CanvasPNGDecoder`); everything else goes through libpng.
    public static func normalise(png bytes: [UInt8]) throws(DrawingError) -> NormalisedDigit {
        try normalise(InkImage(PNGCodec.decodeLumaAlpha(bytes)))
    }
}

/// The sums of ink along each row and each column (ink under the noise floor counted as
/// none), and the strongest ink: one pass over the picture, eight pixels at a time.
struct InkSums {
    var rowSums: [Float]
    var columnSums: [Float]
    var strongest: Float = 0

    init(_ ink: UnsafeBufferPointer<Float>, width: Int, height: Int) {
        rowSums = [Float](repeating: 0, count: height)
        columnSums = [Float](repeating: 0, count: width)
        var strongest = SIMD8<Float>(repeating: 0)
        let floor = SIMD8<Float>(repeating: DigitNormaliser.noiseFloor)
        let zero = SIMD8<Float>(repeating: 0)
        let wholeVectors = width / 8 * 8
        columnSums.withUnsafeMutableBufferPointer { columns in
            let columnsRaw = UnsafeMutableRawPointer(columns.baseAddress!)
            for y in 0..<height {
                let row = UnsafeRawPointer(ink.baseAddress! + y * width)
                var sum = SIMD8<Float>(repeating: 0)
                var x = 0
                while x < wholeVectors {
                    var value = row.loadUnaligned(fromByteOffset: 4 * x, as: SIMD8<Float>.self)
                    value.replace(with: zero, where: value .< floor)
                    sum += value
                    strongest.replace(with: value, where: value .> strongest)
                    let column = columnsRaw.loadUnaligned(fromByteOffset: 4 * x, as: SIMD8<Float>.self)
                    columnsRaw.storeBytes(of: column + value, toByteOffset: 4 * x, as: SIMD8<Float>.self)
                    x += 8
                }
                var rowSum = sum.sum()
                while x < width {
                    let raw = ink[y * width + x]
                    let value = raw < DigitNormaliser.noiseFloor ? 0 : raw
                    rowSum += value
                    columns[x] += value
                    self.strongest = max(self.strongest, value)
                    x += 1
                }
                rowSums[y] = rowSum
            }
        }
        self.strongest = max(self.strongest, strongest.max())
    }

    /// The rows that hold ink, first to last; nil when none does.
    var rowRange: ClosedRange<Int>? { Self.inked(rowSums) }
    /// The columns that hold ink, first to last; nil when none does.
    var columnRange: ClosedRange<Int>? { Self.inked(columnSums) }

    private static func inked(_ sums: [Float]) -> ClosedRange<Int>? {
        guard let first = sums.firstIndex(where: { $0 > 0 }), let last = sums.lastIndex(where: { $0 > 0 }) else { return nil }
        return first...last
    }

    /// The centre of mass in continuous coordinates (pixel k spans [k, k + 1)).
    func centreOfMass(rows: ClosedRange<Int>, columns: ClosedRange<Int>) -> (x: Float, y: Float) {
        var (mass, momentX, momentY): (Double, Double, Double) = (0, 0, 0)
        for y in rows {
            mass += Double(rowSums[y])
            momentY += Double(rowSums[y]) * (Double(y) + 0.5)
        }
        for x in columns { momentX += Double(columnSums[x]) * (Double(x) + 0.5) }
        return (Float(momentX / mass), Float(momentY / mass))
    }
}

/// A box filter from `sourceCount` pixels to `targetCount`: for each target pixel, the run of
/// source pixels it overlaps and their weights (overlap length divided by the target pixel's
/// length in source units), so averaging preserves the mean ink and the centre of mass.
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

    /// Calls `body` with each source pixel of target pixel `target`'s run and its weight.
    @inline(__always)
    func forEachWeight(of target: Int, _ body: (_ source: Int, _ weight: Float) -> Void) {
        var source = first[target]
        for k in offsets[target]..<offsets[target + 1] {
            body(source, weights[k])
            source += 1
        }
    }

    /// Target pixel `target`'s value from `source`, whose pixel k is at `start + k * stride`.
    func apply(_ target: Int, to source: UnsafeBufferPointer<Float>, start: Int, stride: Int) -> Float {
        var sum: Float = 0
        forEachWeight(of: target) { k, weight in sum += weight * source[start + k * stride] }
        return sum
    }
}
