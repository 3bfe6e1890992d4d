/// A drawing normalised to MNIST's form: 28x28 values in [0, 1], ink 1, background 0.
///
///     // pixels: [28 x 28], row-major
public struct NormalisedDigit: Sendable, Equatable {
    public let pixels: [Float]

    public init(pixels: [Float]) {
        precondition(pixels.count == DigitNormaliser.side * DigitNormaliser.side, "a normalised digit has 784 pixels, got \(pixels.count)")
        self.pixels = pixels
    }

    /// The pixels as bytes, 0 background to 255 ink, as MNIST stores them.
    public var bytes: [UInt8] { pixels.map { UInt8(($0 * 255).rounded()) } }

    /// The image as a grey PNG, ink white on black as MNIST shows it.
    public var png: [UInt8] { PNGCodec.encodeGrey(bytes, width: DigitNormaliser.side, height: DigitNormaliser.side) }

    /// The image drawn in text, two characters a pixel, darker characters for more ink:
    /// what `digits predict --show` prints.
    public var textPicture: String {
        let shades: [Character] = [" ", "░", "▒", "▓", "█"]
        var lines: [String] = []
        for y in 0..<DigitNormaliser.side {
            var line = ""
            for x in 0..<DigitNormaliser.side {
                let value = pixels[y * DigitNormaliser.side + x]
                let shade = shades[min(shades.count - 1, Int((value * Float(shades.count - 1)).rounded()))]
                line.append(shade)
                line.append(shade)
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
