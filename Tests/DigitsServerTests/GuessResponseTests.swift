import Foundation
import Testing

@testable import DigitsServer

/// The guess response's hand-written JSON reads back as what it was made from.
@Suite struct GuessResponseTests {
    @Test func handWrittenJSONDecodesToTheSameResponse() throws {
        let pixels: [UInt8] = (0..<784).map { [0, 1, 9, 10, 11, 99, 100, 101, 199, 200, 254, 255][$0 % 12] }
        let response = GuessResponse(
            digit: 7, activations: [0, 1e-7, 0.25, 0.999_999, 1, 0.5, 3.4e-5, 0.1, 0.2, 0.3],
            percentages: [0, 0, 25, 100, 100, 50, 0, 10, 20, 30], pixels: pixels,
            image: "data:image/png;base64,iVBORw0KGgo=", modelVersion: 12, sure: false, candidates: [3, 4])
        let json = response.json()
        let decoded = try JSONDecoder().decode(GuessResponse.self, from: Data(json.readableBytesView))
        #expect(decoded.digit == 7 && decoded.modelVersion == 12 && decoded.image == response.image)
        #expect(decoded.activations == response.activations)
        #expect(decoded.percentages == response.percentages)
        #expect(decoded.pixels == pixels)
        #expect(decoded.sure == false && decoded.candidates == [3, 4])
    }
}
