import Fluent
import Foundation
import NIOCore
import NeuralNetwork
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

/// What keeps one contributor from moving the model, rule by rule.
struct LearningGuardTests {
    let rule = LearningGuard(corroboratingAddresses: 3, addressFloor: 4, addressShare: 0.5)

    func digit(label: Int, guessed: Int, address: String, contributor: String = "someone", training: Bool = true) -> PersonDigit {
        PersonDigit(
            pixels: [UInt8](repeating: 0, count: 784), label: label, guessed: guessed, inTrainingSet: training, contributor: contributor,
            addressHash: address)
    }

    @Test func aLabelThatAgreesWithTheGuessAlwaysCounts() {
        #expect(rule.judge([digit(label: 7, guessed: 7, address: "a")]) == [nil])
    }

    @Test func aCorrectionCountsOnceThreeOtherAddressesMadeIt() {
        let alone = (0..<50).map { _ in digit(label: 1, guessed: 7, address: "attacker") }
        #expect(rule.judge(alone).allSatisfy { $0 == .uncorroborated }, "fifty from one address are one voice")
        let manyIDs = (0..<50).map { digit(label: 1, guessed: 7, address: "attacker", contributor: "id-\($0)") }
        #expect(rule.judge(manyIDs).allSatisfy { $0 == .uncorroborated }, "new contributor ids on one address are one voice")
        let three = ["a", "b", "c"].map { digit(label: 1, guessed: 7, address: $0) }
        #expect(rule.judge(three).allSatisfy { $0 == .uncorroborated }, "three addresses: each has only two others")
        let four = ["a", "b", "c", "d"].map { digit(label: 1, guessed: 7, address: $0) }
        #expect(rule.judge(four).allSatisfy { $0 == nil })
    }

    @Test func onlyTheSameCorrectionCorroborates() {
        let mixed = [
            digit(label: 1, guessed: 7, address: "a"), digit(label: 2, guessed: 7, address: "b"),
            digit(label: 1, guessed: 4, address: "c"), digit(label: 7, guessed: 1, address: "d"),
        ]
        #expect(rule.judge(mixed).allSatisfy { $0 == .uncorroborated })
    }

    @Test func oneAddressCountsUpToItsCapLatestFirst() {
        // 10 of its own, 4 from others: the cap is max(4, 0.5 * 4) = 4, its latest 4.
        let flood = (0..<10).map { _ in digit(label: 3, guessed: 3, address: "flood") }
        let others = ["a", "b", "c", "d"].map { digit(label: 5, guessed: 5, address: $0) }
        let verdicts = rule.judge(flood + others)
        #expect(verdicts.prefix(6).allSatisfy { $0 == .overTheAddressCap })
        #expect(verdicts.dropFirst(6).allSatisfy { $0 == nil })
        // Held-out digits are not training weight: they are not capped.
        let heldOut = (0..<10).map { _ in digit(label: 3, guessed: 3, address: "flood", training: false) }
        #expect(rule.judge(heldOut).allSatisfy { $0 == nil })
    }

    @Test func digitsFromBeforeContributorsCountAsTheirOwnGivers() {
        let old = (0..<4).map { _ in
            PersonDigit(
                pixels: [UInt8](repeating: 0, count: 784), label: 1, guessed: 7, inTrainingSet: true, contributor: nil, addressHash: nil)
        }
        #expect(rule.judge(old).allSatisfy { $0 == nil })
    }
}
