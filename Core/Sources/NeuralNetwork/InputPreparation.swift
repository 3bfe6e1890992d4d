/// What a network's inputs are made from a normalised 28x28 digit before it reads them; the
/// network's file says which, so a model is always fed as it was trained.
///
/// Deskewing straightens a slanted digit by shearing it until its ink has no correlation
/// between x and y (the image's second moments), the preprocessing LeCun et al. list for MNIST.
/// People slant their digits far more than MNIST's writers and each in their own way; a
/// network that never sees slant need not learn every slant. What it gains on MNIST and on
/// people's digits, and what it costs a digit: docs/benchmarks.md.
public enum InputPreparation: String, Sendable, CaseIterable, Codable {
    /// The normalised digit as it is: cropped, scaled into 20x20 and centred by its mass, like
    /// MNIST's own images (network2's files, and every model from before deskewing).
    case centred
    /// Centred, then sheared upright.
    case deskewed

    /// The input for one normalised digit.
    public func prepare(_ pixels: [Float]) -> [Float] {
        switch self {
        case .centred: pixels
        case .deskewed: Deskewing.deskew(pixels)
        }
    }

    /// The inputs for every sample in `samples`.
    public func prepare(_ samples: Samples) -> Samples {
        guard self == .deskewed else { return samples }
        let size = samples.inputSize
        var inputs = [Float](repeating: 0, count: samples.inputs.count)
        samples.inputs.withUnsafeBufferPointer { source in
            inputs.withUnsafeMutableBufferPointer { target in
                for index in 0..<samples.count {
                    Deskewing.deskew(
                        UnsafeBufferPointer(rebasing: source[(index * size)..<((index + 1) * size)]),
                        into: UnsafeMutableBufferPointer(rebasing: target[(index * size)..<((index + 1) * size)]))
                }
            }
        }
        return Samples(inputSize: size, inputs: inputs, labels: samples.labels)
    }
}

/// Deskewing by moments, on a square image: with the centre of mass (cx, cy), the shear
/// α = cov(x, y) / var(y) and the centre c of the image, output pixel (x, y) takes the input
/// at (cx + (x − c) + α·(y − c), cy + (y − c)), interpolated bilinearly (ink outside the
/// image counts as none). The centre of mass lands on the centre, where the normaliser put it.
public enum Deskewing {
    /// Shears beyond 45° come from degenerate drawings (a dash, a dot), not from slant.
    static let largestShear: Float = 1

    public static func deskew(_ pixels: [Float]) -> [Float] {
        var output = [Float](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in deskew(input, into: output) }
        }
        return output
    }

    static func deskew(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
        let side = Int(Double(input.count).squareRoot())
        precondition(side * side == input.count, "deskewing needs a square image, got \(input.count) pixels")
        var (mass, sumX, sumY): (Float, Float, Float) = (0, 0, 0)
        for y in 0..<side {
            for x in 0..<side {
                let value = input[y * side + x]
                mass += value
                sumX += value * Float(x)
                sumY += value * Float(y)
            }
        }
        guard mass > 0 else {
            for index in 0..<output.count { output[index] = input[index] }
            return
        }
        let (cx, cy) = (sumX / mass, sumY / mass)
        var (varianceY, covariance): (Float, Float) = (0, 0)
        for y in 0..<side {
            let dy = Float(y) - cy
            for x in 0..<side {
                let value = input[y * side + x]
                varianceY += value * dy * dy
                covariance += value * (Float(x) - cx) * dy
            }
        }
        let shear = varianceY > 1e-3 * mass ? min(max(covariance / varianceY, -largestShear), largestShear) : 0
        let centre = Float(side) / 2
        for y in 0..<side {
            let sourceY = cy + (Float(y) - centre)
            let rowStartX = cx - centre + shear * (Float(y) - centre)
            for x in 0..<side {
                output[y * side + x] = SquareImage.bilinear(input, side: side, x: rowStartX + Float(x), y: sourceY)
            }
        }
    }
}
