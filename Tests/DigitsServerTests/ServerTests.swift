import DigitImaging
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

@Suite(.serialized)
struct ServerTests {
    @Test func startUpImportsTheDigitsAndMakesAModelLive() async throws {
        try await withApp(settings: ServerSettings.testing()) { app in
            #expect(try await DigitRecord.query(on: app.db).count() == TestDigits.total)
            #expect(try await DigitRecord.query(on: app.db).filter(\.$source == .mnistValidation).count() == TestDigits.validationCount)
            let live = try await ModelVersionRecord.query(on: app.db).filter(\.$isLive == true).all()
            #expect(live.map(\.version) == [1])
            #expect(try model(of: app).live.current()?.version == 1)
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
            let wide = PNGCodec.encode([UInt8](repeating: 0, count: 5000), width: 5000, height: 1, layout: .grey)
            let cases: [(HTTPHeaders, [UInt8], HTTPResponseStatus, String)] = [
                (["Content-Type": "image/png"], Array("not a png".utf8), .badRequest, "not a readable PNG"),
                (["Content-Type": "image/png"], blank, .unprocessableEntity, "blank"),
                (["Content-Type": "text/plain"], Array("7".utf8), .unsupportedMediaType, "is not accepted here"),
                (["Content-Type": "image/png"], [], .badRequest, "no image"),
                (["Content-Type": "image/png"], wide, .payloadTooLarge, "at most 2048 pixels a side"),
                (
                    ["Content-Type": "image/png"], [UInt8](repeating: 0x89, count: 3 << 20), .payloadTooLarge,
                    "a drawing may have at most 2097152"
                ),
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
