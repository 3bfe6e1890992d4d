import Vapor

/// The digit the page suggests drawing next: one the live model reads worst on people's
/// held-out digits, drawn at random in proportion to how often it misreads it, so that the
/// suggestions vary and never ask for one digit only. A digit with few held-out drawings weighs
/// as one it half misreads (an estimate with one right and one wrong added), so that what has
/// not been measured is asked for too.
struct DigitPrompt: Content, Equatable {
    let digit: Int
    /// In words, for the page: "Draw a 9: I often read 9s as 3".
    let sentence: String
    /// The live model's accuracy on people's held-out drawings of `digit`; absent with none.
    let accuracy: Double?
    /// How many of them there are.
    let heldOut: Int
    /// The digit it most often reads `digit` as, when it misreads it at all.
    let confusedWith: Int?
    /// The version whose mistakes chose it.
    let modelVersion: Int

    /// Each digit's weight: its estimated error rate, (misread + 1) / (drawn + 2).
    static func weights(_ counts: [[Int]]) -> [Double] {
        (0..<10).map { digit in
            let drawn = counts[digit].reduce(0, +)
            return Double(drawn - counts[digit][digit] + 1) / Double(drawn + 2)
        }
    }

    /// A digit other than `after` (the one suggested last), drawn by `weights`.
    static func choose(
        from matrix: ConfusionMatrices.Matrix, after: Int?, using generator: inout some RandomNumberGenerator
    ) -> DigitPrompt {
        let weights = weights(matrix.counts).enumerated().map { $0.offset == after ? 0 : $0.element }
        var pick = Double.random(in: 0..<weights.reduce(0, +), using: &generator)
        var digit = 0
        while digit < 9, pick >= weights[digit] {
            pick -= weights[digit]
            digit += 1
        }
        return DigitPrompt(digit: digit, counts: matrix.counts[digit], version: matrix.version)
    }

    init(digit: Int, counts row: [Int], version: Int) {
        self.digit = digit
        modelVersion = version
        heldOut = row.reduce(0, +)
        accuracy = heldOut == 0 ? nil : Double(row[digit]) / Double(heldOut)
        let misread = row.enumerated().filter { $0.offset != digit && $0.element > 0 }.max { $0.element < $1.element }
        confusedWith = misread?.offset
        if heldOut == 0 {
            sentence = "Draw a \(digit): I have not seen enough people's \(digit)s to know how well I read them"
        } else if let confusedWith, let accuracy, accuracy < 0.95 {
            sentence = "Draw a \(digit): I often read \(digit)s as \(confusedWith)"
        } else {
            sentence = "Draw a \(digit): yours help me read everyone's \(digit)s"
        }
    }
}
