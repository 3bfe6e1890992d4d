import Fluent
import Foundation
import NIOCore
import NeuralNetwork
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

@Suite struct PeopleRepeatTests {
    /// Two drawings, a ring labelled 3 and a hooked bar labelled 9.
    static let people: Samples = {
        var pixels = [Float](repeating: 0, count: 2 * 784)
        for y in 0..<28 {
            for x in 0..<28 {
                let distance = ((Float(x) - 14) * (Float(x) - 14) + (Float(y) - 14) * (Float(y) - 14)).squareRoot()
                if abs(distance - 6) < 1.5 { pixels[y * 28 + x] = 1 }
                if (x == 15 || x == 16) && (6...22).contains(y) || (y == 6 && (10...16).contains(x)) { pixels[784 + y * 28 + x] = 1 }
            }
        }
        return Samples(inputSize: 784, inputs: pixels, labels: [3, 9])
    }()

    /// The first repeat is the drawings as stored; each later one moves every drawing a little
    /// (its own change) and keeps its label.
    @Test func repeatsAfterTheFirstAreMovedAndKeepTheirLabels() {
        var generator = SeededGenerator(seed: 1)
        let repeated = RetrainingData.repeated(Self.people, times: 3, jitter: .peoplesRepeats, using: &generator)
        #expect(repeated.count == 6)
        #expect(repeated.labels == [3, 9, 3, 9, 3, 9])
        #expect(Array(repeated.inputs.prefix(2 * 784)) == Self.people.inputs)
        let copies = (2..<6).map { Array(repeated.input(at: $0)) }
        #expect(copies.allSatisfy { !Self.people.inputs.elementsEqual($0) })
        #expect(copies[0] != copies[2] && copies[1] != copies[3], "each repeat draws its own change")
        for (index, copy) in copies.enumerated() {
            let original = Array(Self.people.input(at: index % 2))
            let ink = (copy.reduce(0, +), original.reduce(0, +))
            #expect(ink.0 > 0.7 * ink.1 && ink.0 < 1.3 * ink.1)
        }
    }

    @Test func withoutJitterRepeatsAreCopiesAndTheSameSeedGivesTheSameBits() {
        var generator = SeededGenerator(seed: 1)
        let copies = RetrainingData.repeated(Self.people, times: 2, jitter: .none, using: &generator)
        #expect(copies.inputs == Self.people.inputs + Self.people.inputs)
        var (first, second) = (SeededGenerator(seed: 4), SeededGenerator(seed: 4))
        #expect(
            RetrainingData.repeated(Self.people, times: 4, jitter: .peoplesRepeats, using: &first)
                == RetrainingData.repeated(Self.people, times: 4, jitter: .peoplesRepeats, using: &second))
        #expect(RetrainingData.repeated(Self.people, times: 0, jitter: .peoplesRepeats, using: &first).count == 0)
    }
}
