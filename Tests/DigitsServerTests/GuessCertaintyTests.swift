import Foundation
import Testing

@testable import DigitsServer

/// When a guess is sure, and which digits a guess that is not offers.
@Suite struct GuessCertaintyTests {
    static func outputs(_ pairs: [Int: Float]) -> [Float] { (0..<10).map { pairs[$0] ?? 0.01 } }

    @Test func oneClearlyActiveOutputIsSure() {
        #expect(GuessCertainty(activations: Self.outputs([3: 0.97, 9: 0.05])) == GuessCertainty(sure: true, candidates: [3]))
    }

    @Test func twoCloseOutputsAreNotSureAndBothAreOffered() {
        #expect(GuessCertainty(activations: Self.outputs([3: 0.71, 9: 0.52])) == GuessCertainty(sure: false, candidates: [3, 9]))
    }

    @Test func aWeakTopIsNotSureAndOffersAtLeastTwoAtMostThree() {
        #expect(GuessCertainty(activations: Self.outputs([4: 0.31])).candidates.count == 2)
        let spread = GuessCertainty(activations: Self.outputs([1: 0.4, 7: 0.35, 2: 0.3, 4: 0.28]))
        #expect(spread == GuessCertainty(sure: false, candidates: [1, 7, 2]))
    }
}
