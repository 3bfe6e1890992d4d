import Foundation
import Testing

@testable import DigitsServer

/// Each serve setting is said once, in `ServeSetting.all`; the docs follow from it.
@Suite struct ServeSettingTests {
    @Test func theDocsTableIsTheSettingsList() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/api.md").standardized
        let page = try String(contentsOf: docs, encoding: .utf8)
        #expect(page.contains(ServeSetting.markdownTable), "docs/api.md's settings table should read:\n\(ServeSetting.markdownTable)")
    }

    @Test func theFlagWinsOverTheEnvironmentWhichWinsOverTheDefault() throws {
        let environment = ["DIGITS_PORT": "9000", "DIGITS_HIDDEN": "100, 30", "DIGITS_DESKEW": "0", "DIGITS_STORES_PER_MINUTE": "0"]
        let settings = try ServeSetting.settings(given: ["port": ["9001"]], environment: environment)
        #expect(settings.port == 9001)
        #expect(settings.networkSizes == [784, 100, 30, 10])
        #expect(settings.input == .centred)
        #expect(settings.storesPerMinute == nil)
        let defaults = try ServeSetting.settings(given: [:], environment: [:])
        #expect(defaults.port == 8080 && defaults.networkSizes == [784, 30, 10] && defaults.input == .deskewed)
        #expect(defaults.storesPerMinute == 60 && defaults.retraining.every == 10 && defaults.role == .all)
    }

    @Test func aValueOutOfBoundsIsRefusedInWords() {
        #expect(throws: SettingError.self) { try ServeSetting.settings(given: [:], environment: ["DIGITS_PORT": "70000"]) }
        do {
            _ = try ServeSetting.settings(given: ["hidden": ["30", "0"]], environment: [:])
            Issue.record("a hidden layer of 0 neurons was accepted")
        } catch {
            #expect("\(error)" == "--hidden must be between 1 and 4096 neurons, got 0")
        }
    }
}
