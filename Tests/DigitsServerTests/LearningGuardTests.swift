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
    /// Corroboration and the cap, with every giver trusted: trust has tests of its own below.
    let rule = LearningGuard(corroboratingAddresses: 3, addressFloor: 4, addressShare: 0.5, trustedAfter: 0)
    let trusting = LearningGuard(corroboratingAddresses: 3, addressFloor: 1_000, addressShare: 0.5, trustedAfter: 5)

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

    /// `count` digits from `address` that agree with the model, then `corrections` of 7 read as 1.
    func person(_ address: String, agreeing count: Int, corrections: Int) -> [PersonDigit] {
        (0..<count).map { _ in digit(label: 4, guessed: 4, address: address) }
            + (0..<corrections).map { _ in digit(label: 1, guessed: 7, address: address) }
    }

    @Test func aCorrectionCountsOnlyFromTrustedPeopleCorroboratedByTrustedPeople() {
        let strangers = ["a", "b", "c", "d"].flatMap { person($0, agreeing: 0, corrections: 1) }
        #expect(trusting.judge(strangers).allSatisfy { $0 == .untrusted }, "four addresses that never agreed with the model")
        let regulars = ["a", "b", "c", "d"].flatMap { person($0, agreeing: 5, corrections: 1) }
        #expect(trusting.judge(regulars).allSatisfy { $0 == nil }, "four who drew five digits the model read")
        let fewer = ["a", "b", "c", "d"].flatMap { person($0, agreeing: 4, corrections: 1) }
        #expect(trusting.judge(fewer).filter { $0 != nil }.allSatisfy { $0 == .untrusted })
        // Trust is kept by agreeing on half or more: five agreed, then ten contradicted.
        let turned = person("a", agreeing: 5, corrections: 10) + ["b", "c", "d"].flatMap { person($0, agreeing: 5, corrections: 1) }
        let verdicts = trusting.judge(turned)
        #expect(verdicts[5..<15].allSatisfy { $0 == .untrusted })
        let others = verdicts[15...].filter { $0 != nil }
        #expect(others.count == 3 && others.allSatisfy { $0 == .uncorroborated }, "three trusted correctors are two others each")
    }

    @Test func aCrowdThatOnlyContradictsTheModelNeverCounts() {
        let honest = (0..<20).flatMap { person("honest-\($0)", agreeing: 45, corrections: 5) }
        let crowd = (0..<50).flatMap { person("crowd-\($0)", agreeing: 0, corrections: 20) }
        let verdicts = trusting.judge(honest + crowd)
        #expect(verdicts[honest.count...].allSatisfy { $0 == .untrusted })
        #expect(verdicts[..<honest.count].allSatisfy { $0 == nil }, "honest people's same correction still counts")
    }

    @Test func askingNoCorroborationTrustsEveryone() {
        let open = LearningGuard(corroboratingAddresses: 0, trustedAfter: 5)
        #expect(open.judge(person("a", agreeing: 0, corrections: 3)).allSatisfy { $0 == nil })
    }
}

/// A crowd of newcomers that earned trust still cannot put what it taught live unseen.
struct CrowdCheckTests {
    let check = CrowdCheck(givers: 5, window: 20)

    func digit(label: Int, guessed: Int, address: String) -> PersonDigit {
        PersonDigit(
            pixels: [UInt8](repeating: 0, count: 784), label: label, guessed: guessed, inTrainingSet: true, contributor: address,
            addressHash: address)
    }

    /// 40 digits of ten established people, `established` of them correcting 7 → 1, then
    /// `newcomers` who each post 2 agreeing digits and 3 corrections of 7 → 1.
    func people(established: Int, newcomers: Int = 6) -> [PersonDigit] {
        var people = (0..<40).map { index in
            index < established
                ? digit(label: 1, guessed: 7, address: "regular-\(index)") : digit(label: 4, guessed: 4, address: "regular-\(index % 10)")
        }
        for index in 0..<newcomers {
            people += (0..<2).map { _ in digit(label: 4, guessed: 4, address: "new-\(index)") }
            people += (0..<3).map { _ in digit(label: 1, guessed: 7, address: "new-\(index)") }
        }
        return people
    }

    @Test func newcomersTeachingWhatEstablishedPeopleDoNotAreHeld() throws {
        let crowd = people(established: 0)
        let reason = try #require(check.suspicion(crowd, learned: Array(crowd.indices)))
        #expect(reason.contains("6 new contributors taught it that what it read as 7 is 1 (18 digits)"), "\(reason)")
        // However much a crowd posts among itself, it stays new.
        let more = crowd + (0..<200).map { digit(label: 4, guessed: 4, address: "new-\($0 % 6)") }
        #expect(check.newcomers(more).count == 6)
    }

    @Test func aCorrectionEstablishedPeopleMakeToo_OrTooFewNewcomers_OrAFreshServer_IsNotHeld() {
        let shared = people(established: 6)
        #expect(check.suspicion(shared, learned: Array(shared.indices)) == nil)
        let few = people(established: 0, newcomers: 4)
        #expect(check.suspicion(few, learned: Array(few.indices)) == nil)
        // A server's first people are not newcomers: nobody was there before them.
        let fresh = Array(people(established: 0).dropFirst(40))
        #expect(check.suspicion(fresh, learned: Array(fresh.indices)) == nil)
        // What the guard left out taught nothing.
        let crowd = people(established: 0)
        #expect(check.suspicion(crowd, learned: Array(0..<40)) == nil)
        #expect(CrowdCheck(givers: 0).suspicion(crowd, learned: Array(crowd.indices)) == nil)
        // Newcomers become established once established people stored `window` digits after them.
        let aged = crowd + (0..<20).map { digit(label: 4, guessed: 4, address: "regular-\($0 % 10)") }
        #expect(check.newcomers(aged).isEmpty)
        #expect(check.suspicion(aged, learned: Array(aged.indices)) == nil)
    }
}
