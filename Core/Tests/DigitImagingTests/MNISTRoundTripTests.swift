import Foundation  // the C library (Glibc or Darwin) with it
import MNISTData
import NeuralNetwork
import Testing

@testable import DigitImaging

/// An MNIST digit blown up to 280x280 (bilinear), as if drawn on the page's canvas.
private func enlarge(_ image: ArraySlice<UInt8>, to side: Int) -> [UInt8] {
    let source = Array(image)
    return (0..<(side * side)).map { index in
        let (y, x) = (index / side, index % side)
        let sx = (Float(x) + 0.5) * 28 / Float(side) - 0.5
        let sy = (Float(y) + 0.5) * 28 / Float(side) - 0.5
        let x0 = Int(sx.rounded(.down)), y0 = Int(sy.rounded(.down))
        let fx = sx - Float(x0), fy = sy - Float(y0)
        func at(_ px: Int, _ py: Int) -> Float {
            guard (0..<28).contains(px), (0..<28).contains(py) else { return 0 }
            return Float(source[py * 28 + px])
        }
        let top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx
        let bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx
        return UInt8(min(255, max(0, (top * (1 - fy) + bottom * fy).rounded())))
    }
}

@Suite struct MNISTRoundTripTests {
    @Test(.enabled(if: getenv("MNIST_DIR") != nil, "needs MNIST_DIR (scripts/test sets it)"))
    func enlargedMNISTDigitsComeBackCloseAndReadTheSame() throws {
        let split = try MNISTLoader.load(directory: String(cString: getenv("MNIST_DIR")))
        var generator = SeededGenerator(seed: 1)
        var network = Network(sizes: [784, 30, 10], using: &generator)
        network.train(
            on: Samples(greyLevels: split.training.pixels, inputSize: split.training.pixelsPerImage, labels: split.training.labels),
            options: TrainingOptions(epochs: 3), using: &generator)

        let count = 100
        var same = 0
        var totalDifference: Float = 0
        for index in 0..<count {
            let original = split.test.image(at: index)
            let drawn = enlarge(original, to: 280)
            let digit = try DigitNormaliser.normalise(InkImage(grey: drawn, width: 280, height: 280))
            let originalInput = original.map { Float($0) / 255 }
            totalDifference += zip(digit.pixels, originalInput).map { abs($0 - $1) }.reduce(0, +) / 784
            if network.predict(digit.pixels) == network.predict(originalInput) { same += 1 }
        }
        let meanDifference = totalDifference / Float(count)
        print("round trip: mean difference", meanDifference, "same", same)
        #expect(meanDifference < 0.05, "mean absolute pixel difference \(meanDifference)")
        #expect(same >= 97, "\(same) of \(count) read the same")
    }
}
