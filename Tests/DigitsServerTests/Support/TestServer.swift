import DigitImaging
import Foundation
import NeuralNetwork
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

/// Builds the server exactly as `digits serve` does on a copy of a template database (digits
/// imported, version 1 live), runs `body`, and shuts down on every path. The template holds
/// `TestDigits`, or real MNIST with `realMNIST`.
func withApp(
    realMNIST: Bool = false, _ adjust: (inout ServerSettings) -> Void = { _ in }, logger: Logger? = nil,
    _ body: (Application) async throws -> Void
) async throws {
    var settings = ServerSettings.testing()
    let template = realMNIST ? TemplateDatabase.realMNIST : TemplateDatabase.testDigits
    settings.input = template.input
    let copy = try await template.copy()
    settings.database = .sqlite(path: copy)
    adjust(&settings)
    defer { try? FileManager.default.removeItem(atPath: copy) }
    try await withApp(settings: settings, mnist: template.supply, logger: logger, body)
}

@discardableResult
func withApp<Result: Sendable>(
    settings: ServerSettings, mnist: MNISTSupply = TestDigits.supply, logger: Logger? = nil,
    _ body: (Application) async throws -> Result
) async throws -> Result {
    let app = try await Application.make(.testing)
    if let logger { app.logger = logger }
    let result: Result
    do {
        try await configure(app, settings: settings, mnist: mnist)
        // Booted, as `digits serve` is: what runs beside the requests (following the live
        // version, looking for retraining work) starts at boot.
        try await app.asyncBoot()
        result = try await body(app)
    } catch {
        try await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
    return result
}

/// The server's model life in `app`: its versions, live model and retrainer.
func model(of app: Application) throws -> ServerModel { try #require(app.storage[ServerModelKey.self]) }

/// A database file with the digits imported and a first model trained, made once per test
/// run: each test starts from a copy in milliseconds instead of importing and training again.
actor TemplateDatabase {
    static let testDigits = TemplateDatabase(name: "test-digits", supply: TestDigits.supply, input: .centred)
    /// Real handwriting, read deskewed as `digits serve` reads it.
    static let realMNIST = TemplateDatabase(name: "mnist", supply: RealMNIST.supply, input: .deskewed)

    nonisolated let supply: MNISTSupply
    nonisolated let input: InputPreparation
    private let name: String
    /// One build, however many suites ask for it at once.
    private var build: Task<String, any Error>?

    init(name: String, supply: MNISTSupply, input: InputPreparation) {
        self.name = name
        self.supply = supply
        self.input = input
    }

    func copy() async throws -> String {
        if build == nil { build = Task { try await make() } }
        let template = try await build!.value
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("digits-test-\(UUID().uuidString).sqlite").path
        try FileManager.default.copyItem(atPath: template, toPath: copy)
        return copy
    }

    private func make() async throws -> String {
        let made = FileManager.default.temporaryDirectory.appendingPathComponent("digits-template-\(name)-\(getpid()).sqlite").path
        try? FileManager.default.removeItem(atPath: made)
        var settings = ServerSettings.testing()
        settings.database = .sqlite(path: made)
        settings.input = input
        try await withApp(settings: settings, mnist: supply) { _ in }
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
