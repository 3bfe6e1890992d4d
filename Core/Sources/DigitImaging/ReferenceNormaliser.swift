/// `DigitNormaliser`'s mathematics written plainly, pixel by pixel, as it was before it was
/// made fast: the tests' oracle for the fast version (which sums in another order, so the two
/// agree to rounding).
enum ReferenceNormaliser {
    static func normalise(_ image: InkImage) throws(DrawingError) -> NormalisedDigit {
        let (width, height, side) = (image.width, image.height, DigitNormaliser.side)
        let ink = image.ink.map { $0 < DigitNormaliser.noiseFloor ? 0 : $0 }
        guard let strongest = ink.max(), strongest >= DigitNormaliser.blankBelow else { throw .blank }

        // The ink's bounding box and centre of mass, at full resolution, from the sums of
        // the rows and of the columns.
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
        let scale = Float(DigitNormaliser.boxSide) / Float(longerSide)
        let centreX = Float(momentX / mass)
        let centreY = Float(momentY / mass)

        // Target pixel i covers [i, i + 1); it sees source [c + (i − centre)/scale, …).
        let centre = DigitNormaliser.centre
        let columns = BoxFilter(sourceCount: width, targetCount: side, origin: centreX - centre / scale, scale: scale)
        let rows = BoxFilter(sourceCount: height, targetCount: side, origin: centreY - centre / scale, scale: scale)
        var horizontal = [Float](repeating: 0, count: height * side)
        ink.withUnsafeBufferPointer { ink in
            horizontal.withUnsafeMutableBufferPointer { horizontal in
                // Rows outside the ink's bounding box hold no ink.
                for y in minY...maxY {
                    for i in 0..<side {
                        horizontal[y * side + i] = columns.apply(i, to: ink, start: y * width, stride: 1)
                    }
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
}
