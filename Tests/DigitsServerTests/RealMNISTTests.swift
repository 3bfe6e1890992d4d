import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

/// What only real MNIST shows: the whole import, and that the first model and a retraining
/// read a drawn seven as a 7. Every other server test runs on `TestDigits`.
@Suite(.serialized, .enabled(if: RealMNIST.isAvailable, "needs MNIST_DIR"))
struct RealMNISTTests {
    @Test func startUpImportsMNISTAndMakesAModelLive() async throws {
        try await withApp(settings: ServerSettings.testing(), mnist: RealMNIST.supply) { app in
            #expect(try await DigitRecord.query(on: app.db).count() == 70_000)
            #expect(try await DigitRecord.query(on: app.db).filter(\.$source == .mnistValidation).count() == 10_000)
            let live = try await ModelVersionRecord.query(on: app.db).filter(\.$isLive == true).all()
            #expect(live.map(\.version) == [1])
            #expect((live.first?.testAccuracy ?? 0) > 0.85)
        }
    }

    /// The page's pad and a phone's (1,260 px at 3x, read by the drawing workers) alike.
    @Test func aDrawnSevenReadsAsSevenOnEveryPadSize() async throws {
        try await withApp(realMNIST: true) { app in
            for side in [280, 1260] {
                try await app.testing().test(
                    .POST, "api/guess", headers: ["Content-Type": "image/png"], body: ByteBuffer(bytes: sevenPNG(side: side))
                ) { response in
                    #expect(response.status == .ok, "\(side)")
                    let decoded = try response.content.decode(GuessResponse.self)
                    #expect(decoded.digit == 7, "\(side)")
                }
            }
        }
    }

    @Test func tenVerifiedSevensMakeAVersionThatStillReadsMNIST() async throws {
        try await withApp(realMNIST: true) { app in
            for _ in 0..<10 { _ = try await storeSeven(on: app) }
            await (try model(of: app)).retrainer.waitUntilIdle()
            let second = try #require(try await ModelVersionRecord.query(on: app.db).filter(\.$version == 2).first())
            #expect(second.outcome == .promoted && second.isLive)
            // Fine-tuned: the 8 training digits and 1,000 of MNIST's replayed.
            #expect(second.trainedOn == 8 + RetrainingPolicy().replayAtLeast)
            #expect(try Hyperparameters(json: second.hyperparameters).method == "fine-tune")
            #expect((second.testAccuracy ?? 0) > 0.8)
            #expect(try model(of: app).live.current()?.network.input == .deskewed)
        }
    }
}
