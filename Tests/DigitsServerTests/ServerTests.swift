import DigitImaging
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

/// Builds the server exactly as `digits serve` does, with SQLite in memory, runs `body`, and
/// shuts down on every path.
func withApp(_ body: (Application) async throws -> Void) async throws {
    let app = try await Application.make(.testing)
    do {
        try await configure(app, settings: .testing(mnistDirectory: ProcessInfo.processInfo.environment["MNIST_DIR"]!))
        try await body(app)
    } catch {
        try await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

/// A seven on a 280x280 page, dark on light, as the page would send it.
func sevenPNG() -> [UInt8] {
    var grey = [UInt8](repeating: 255, count: 280 * 280)
    func dab(_ cx: Int, _ cy: Int) {
        for y in max(0, cy - 9)...min(279, cy + 9) {
            for x in max(0, cx - 9)...min(279, cx + 9) where (x - cx) * (x - cx) + (y - cy) * (y - cy) <= 81 { grey[y * 280 + x] = 0 }
        }
    }
    for t in 0...100 {
        dab(60 + t * 16 / 10, 50)  // the bar
        dab(220 - t * 11 / 10, 50 + t * 19 / 10)  // the stroke down
    }
    return PNGCodec.encode(grey, width: 280, height: 280, layout: .grey)
}

@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["MNIST_DIR"] != nil, "needs MNIST_DIR"))
struct ServerTests {
    @Test func startUpImportsMNISTAndMakesAModelLive() async throws {
        try await withApp { app in
            let total = try await DigitRecord.query(on: app.db).count()
            let validation = try await DigitRecord.query(on: app.db).filter(\.$source == .mnistValidation).count()
            #expect(total == 70_000)
            #expect(validation == 10_000)
            let live = try await ModelStateRecord.query(on: app.db).filter(\.$isLive == true).all()
            #expect(live.count == 1)
            #expect(live.first?.version == 1)
            #expect((live.first?.testAccuracy ?? 0) > 0.85)
            try await app.testing().test(.GET, "health") { response in
                #expect(response.status == .ok)
                let health = try response.content.decode(HealthResponse.self)
                #expect(health.modelVersion == 1)
            }
        }
    }

    @Test func guessesADrawingAndStoresNothing() async throws {
        try await withApp { app in
            let before = try await DigitRecord.query(on: app.db).count()
            try await app.testing().test(
                .POST, "api/guess", headers: ["Content-Type": "image/png"], body: ByteBuffer(bytes: sevenPNG())
            ) { response in
                #expect(response.status == .ok)
                let guess = try response.content.decode(GuessResponse.self)
                #expect(guess.activations.count == 10)
                #expect(guess.percentages.count == 10)
                #expect(guess.pixels.count == 784)
                #expect(guess.image.hasPrefix("data:image/png;base64,"))
                #expect(guess.modelVersion == 1)
                #expect(guess.digit == guess.activations.indices.max { guess.activations[$0] < guess.activations[$1] })
            }
            #expect(try await DigitRecord.query(on: app.db).count() == before)
        }
    }

    @Test func badDrawingsGetJSONErrorsWithTheRightStatus() async throws {
        try await withApp { app in
            let blank = PNGCodec.encode([UInt8](repeating: 255, count: 100), width: 10, height: 10, layout: .grey)
            let cases: [(HTTPHeaders, [UInt8], HTTPResponseStatus, String)] = [
                (["Content-Type": "image/png"], Array("not a png".utf8), .badRequest, "not a readable PNG"),
                (["Content-Type": "image/png"], blank, .unprocessableEntity, "blank"),
                (["Content-Type": "text/plain"], Array("7".utf8), .unsupportedMediaType, "not a drawing"),
                (["Content-Type": "image/png"], [], .badRequest, "no image"),
            ]
            for (headers, body, status, reason) in cases {
                try await app.testing().test(.POST, "api/guess", headers: headers, body: ByteBuffer(bytes: body)) { response in
                    #expect(response.status == status, "\(reason)")
                    let error = try response.content.decode(ErrorBody.self)
                    #expect(error.error)
                    #expect(error.reason.contains(reason), "\(error.reason)")
                }
            }
            try await app.testing().test(.GET, "api/nothing-here") { response in
                #expect(response.status == .notFound)
                let error = try response.content.decode(ErrorBody.self)
                #expect(error.error)
            }
        }
    }
}

struct ErrorBody: Codable {
    let error: Bool
    let reason: String
}
