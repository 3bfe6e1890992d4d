import Testing

@testable import NeuralNetwork

@Suite struct SeededGeneratorTests {
    @Test func aSeedFixesTheStream() {
        var a = SeededGenerator(seed: 5)
        var b = SeededGenerator(seed: 5)
        var c = SeededGenerator(seed: 6)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
    }

    @Test func shuffleIsAPermutationFixedBySeed() {
        var generator = SeededGenerator(seed: 1)
        var order = Array(0..<100)
        order.fisherYatesShuffle(using: &generator)
        #expect(order.sorted() == Array(0..<100))
        #expect(order != Array(0..<100))
        var again = Array(0..<100)
        var same = SeededGenerator(seed: 1)
        again.fisherYatesShuffle(using: &same)
        #expect(again == order)
    }

    @Test func gaussianHasTheRightMoments() {
        var generator = SeededGenerator(seed: 2)
        let draws = (0..<20_000).map { _ in generator.nextGaussian() }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws.count)
        #expect(abs(mean) < 0.03)
        #expect(abs(variance - 1) < 0.05)
    }

    @Test func boundedIndicesStayInRangeAndCoverIt() {
        var generator = SeededGenerator(seed: 3)
        var seen = Set<Int>()
        for _ in 0..<1000 {
            let index = generator.nextIndex(below: 7)
            #expect((0..<7).contains(index))
            seen.insert(index)
        }
        #expect(seen.count == 7)
    }
}
