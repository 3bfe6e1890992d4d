import DigitImaging
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

/// Builds the server exactly as `digits serve` does on a copy of `TemplateDatabase` (MNIST
/// imported, version 1 live), runs `body`, and shuts down on every path.
func withApp(
    _ adjust: (inout ServerSettings) -> Void = { _ in }, logger: Logger? = nil, _ body: (Application) async throws -> Void
) async throws {
    var settings = ServerSettings.testing(mnistDirectory: ProcessInfo.processInfo.environment["MNIST_DIR"]!)
    let copy = try await TemplateDatabase.shared.copy()
    settings.database = .sqlite(path: copy)
    adjust(&settings)
    defer { try? FileManager.default.removeItem(atPath: copy) }
    try await withApp(settings: settings, logger: logger, body)
}

func withApp(settings: ServerSettings, logger: Logger? = nil, _ body: (Application) async throws -> Void) async throws {
    let app = try await Application.make(.testing)
    if let logger { app.logger = logger }
    do {
        try await configure(app, settings: settings)
        try await body(app)
    } catch {
        try await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

/// A database file with MNIST imported and a first model trained, made once per test run:
/// each test starts from a copy in milliseconds instead of importing and training again.
actor TemplateDatabase {
    static let shared = TemplateDatabase()
    /// One build, however many suites ask for it at once.
    private var build: Task<String, any Error>?

    func copy() async throws -> String {
        if build == nil { build = Task { try await Self.make() } }
        let template = try await build!.value
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("digits-test-\(UUID().uuidString).sqlite").path
        try FileManager.default.copyItem(atPath: template, toPath: copy)
        return copy
    }

    private static func make() async throws -> String {
        let made = FileManager.default.temporaryDirectory.appendingPathComponent("digits-template-\(getpid()).sqlite").path
        try? FileManager.default.removeItem(atPath: made)
        var settings = ServerSettings.testing(mnistDirectory: ProcessInfo.processInfo.environment["MNIST_DIR"]!)
        settings.database = .sqlite(path: made)
        try await withApp(settings: settings) { _ in }
        return made
    }
}

/// A seven on a 280x280 page, dark on light, as the page would send it; `side` draws the
/// same seven on a larger pad, as a high-DPI screen's canvas holds it.
func sevenPNG(side: Int = 280) -> [UInt8] {
    var grey = [UInt8](repeating: 255, count: side * side)
    let radius = 9 * side / 280
    func dab(_ cx: Int, _ cy: Int) {
        for y in max(0, cy - radius)...min(side - 1, cy + radius) {
            for x in max(0, cx - radius)...min(side - 1, cx + radius) where (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius {
                grey[y * side + x] = 0
            }
        }
    }
    for t in 0...100 {
        dab((60 + t * 16 / 10) * side / 280, 50 * side / 280)  // the bar
        dab((220 - t * 11 / 10) * side / 280, (50 + t * 19 / 10) * side / 280)  // the stroke down
    }
    return PNGCodec.encode(grey, width: side, height: side, layout: .grey)
}

@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["MNIST_DIR"] != nil, "needs MNIST_DIR"))
struct ServerTests {
    @Test func startUpImportsMNISTAndMakesAModelLive() async throws {
        let settings = ServerSettings.testing(mnistDirectory: ProcessInfo.processInfo.environment["MNIST_DIR"]!)
        try await withApp(settings: settings) { app in
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
            let wide = PNGCodec.encode([UInt8](repeating: 0, count: 5000), width: 5000, height: 1, layout: .grey)
            let cases: [(HTTPHeaders, [UInt8], HTTPResponseStatus, String)] = [
                (["Content-Type": "image/png"], Array("not a png".utf8), .badRequest, "not a readable PNG"),
                (["Content-Type": "image/png"], blank, .unprocessableEntity, "blank"),
                (["Content-Type": "text/plain"], Array("7".utf8), .unsupportedMediaType, "is not accepted here"),
                (["Content-Type": "image/png"], [], .badRequest, "no image"),
                (["Content-Type": "image/png"], wide, .payloadTooLarge, "at most 2048 pixels a side"),
                (["Content-Type": "image/png"], [UInt8](repeating: 0x89, count: 3 << 20), .payloadTooLarge, "a drawing may have at most 2097152"),
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

@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["MNIST_DIR"] != nil, "needs MNIST_DIR"))
struct StoreDigitTests {
    func json(_ label: Int, image: [UInt8] = sevenPNG(), dataURL: Bool = false) -> ByteBuffer {
        let encoded = (dataURL ? "data:image/png;base64," : "") + Data(image).base64EncodedString()
        return ByteBuffer(string: #"{"image": "\#(encoded)", "label": \#(label)}"#)
    }

    @Test func storesVerifiedDigitsAndHoldsOutEveryFifth() async throws {
        try await withApp { app in
            var sets: [String] = []
            for index in 0..<10 {
                try await app.testing().test(
                    .POST, "api/digits", headers: ["Content-Type": "application/json"], body: json(7, dataURL: index % 2 == 0)
                ) { response in
                    #expect(response.status == .created)
                    let stored = try response.content.decode(StoredDigitResponse.self)
                    #expect(stored.label == 7)
                    #expect((0...9).contains(stored.guessedLabel))
                    sets.append(stored.set)
                }
            }
            #expect(
                sets == [
                    "training", "training", "training", "training", "held-out", "training", "training", "training", "training", "held-out",
                ])
            let people = try await DigitRecord.query(on: app.db).filter(\.$source == .person).all()
            #expect(people.count == 10)
            #expect(people.allSatisfy { $0.pixels.count == 784 && $0.label == 7 && $0.guessedLabel != nil })
        }
    }

    @Test func aCorrectedLabelIsStoredAsGivenThroughAForm() async throws {
        try await withApp { app in
            var form = ByteBuffer()
            let boundary = "digits-test-boundary"
            form.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"label\"\r\n\r\n1\r\n")
            form.writeString(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"d.png\"\r\nContent-Type: image/png\r\n\r\n")
            form.writeBytes(sevenPNG())
            form.writeString("\r\n--\(boundary)--\r\n")
            try await app.testing().test(
                .POST, "api/digits", headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"], body: form
            ) { response in
                #expect(response.status == .created)
                let stored = try response.content.decode(StoredDigitResponse.self)
                #expect(stored.label == 1)
            }
        }
    }

    @Test func badRequestsStoreNothing() async throws {
        try await withApp { app in
            let blank = PNGCodec.encode([UInt8](repeating: 255, count: 100), width: 10, height: 10, layout: .grey)
            let cases: [(HTTPHeaders, ByteBuffer, HTTPResponseStatus, String)] = [
                (["Content-Type": "application/json"], json(12), .unprocessableEntity, "from 0 to 9"),
                (["Content-Type": "application/json"], json(-1), .unprocessableEntity, "from 0 to 9"),
                (["Content-Type": "application/json"], json(3, image: blank), .unprocessableEntity, "blank"),
                (["Content-Type": "application/json"], ByteBuffer(string: #"{"label": 3}"#), .badRequest, "JSON with"),
                (["Content-Type": "application/json"], ByteBuffer(string: #"{"image": "%%%", "label": 3}"#), .badRequest, "not base64"),
                (["Content-Type": "text/plain"], ByteBuffer(string: "7"), .unsupportedMediaType, "not accepted"),
            ]
            for (headers, body, status, reason) in cases {
                try await app.testing().test(.POST, "api/digits", headers: headers, body: body) { response in
                    #expect(response.status == status, "\(reason)")
                    let error = try response.content.decode(ErrorBody.self)
                    #expect(error.reason.contains(reason), "\(error.reason)")
                }
            }
            let people = try await DigitRecord.query(on: app.db).filter(\.$source == .person).count()
            #expect(people == 0)
        }
    }
}
