import Foundation
import NeuralNetwork
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

/// The digit the page suggests drawing next: chosen from the live model's mistakes, varied.
struct PromptTests {
    /// 9s read as 3 half the time, every other digit read right 20 times in 20.
    var matrix: ConfusionMatrices.Matrix {
        var counts = (0..<10).map { digit in (0..<10).map { $0 == digit ? 20 : 0 } }
        counts[9][9] = 10
        counts[9][3] = 10
        return ConfusionMatrices.Matrix(version: 4, counts: counts, cells: [])
    }

    @Test func theDigitItMisreadsMostIsAskedForMostAndNeverTwiceInARow() throws {
        var generator = SeededGenerator(seed: 1)
        var asked = [Int](repeating: 0, count: 10)
        var last: Int?
        for _ in 0..<2_000 {
            let prompt = DigitPrompt.choose(from: matrix, after: last, using: &generator)
            #expect(prompt.digit != last)
            asked[prompt.digit] += 1
            last = prompt.digit
        }
        #expect(asked.allSatisfy { $0 > 0 }, "every digit is asked for now and then: \(asked)")
        #expect(asked[9] > 3 * asked.dropLast().max()!, "the 9 it misreads half the time most: \(asked)")
        let nine = DigitPrompt(digit: 9, counts: matrix.counts[9], version: 4)
        #expect(nine.sentence == "Draw a 9: I often read 9s as 3" && nine.confusedWith == 3 && nine.accuracy == 0.5)
        #expect(DigitPrompt(digit: 2, counts: [Int](repeating: 0, count: 10), version: 4).sentence.contains("not seen enough"))
    }

    @Test func theEndpointSuggestsADigitAndRefusesABadOne() async throws {
        try await withApp { app in
            try await app.testing().test(.GET, "api/prompt?after=3") { response in
                #expect(response.status == .ok)
                let prompt = try response.content.decode(DigitPrompt.self)
                #expect((0...9).contains(prompt.digit) && prompt.digit != 3 && prompt.modelVersion == 1)
                #expect(prompt.sentence.hasPrefix("Draw a \(prompt.digit)"))
            }
            for bad in ["10", "-1", "seven"] {
                try await app.testing().test(.GET, "api/prompt?after=\(bad)") { #expect($0.status == .badRequest) }
            }
        }
    }
}
