import DigitImaging
import Fluent
import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

/// Several servers on one database: what each serves, and what they write at once.
@Suite(.serialized)
struct SeveralServersTests {
    /// The version `app` answers guesses with, as its /health says.
    func servedVersion(_ app: Application) async throws -> Int? {
        var version: Int?
        try await app.testing().test(.GET, "health") { response in
            version = try response.content.decode(HealthResponse.self).modelVersion
        }
        return version
    }

    /// Polls `app` until it serves `version`, for up to 30 s (the check it relies on runs every
    /// second): whether it did.
    func waitUntil(_ app: Application, serves version: Int) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if try await servedVersion(app) == version { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// How soon is the benchmarks' business (the cluster test times it); here, that it happens.
    @Test func aPromotionOrRollbackOnOneServerIsServedByTheOther() async throws {
        let copy = try await TemplateDatabase.testDigits.copy()
        defer { try? FileManager.default.removeItem(atPath: copy) }
        var settings = ServerSettings.testing()
        settings.database = .sqlite(path: copy)
        try await withApp(settings: settings) { first in
            try await withApp(settings: settings) { second in
                let admin: HTTPHeaders = ["Authorization": "Bearer test-admin-token"]
                try await first.testing().test(.POST, "api/model/retrain", headers: admin) { #expect($0.status == .accepted) }
                await (try model(of: first)).retrainer.waitUntilIdle()
                #expect(try await servedVersion(first) == 2)
                #expect(try await waitUntil(second, serves: 2))
                try await second.testing().test(.POST, "api/models/1/live", headers: admin) { #expect($0.status == .ok) }
                #expect(try await waitUntil(first, serves: 1))
            }
        }
    }

    @Test func switchesFromTwoServersAtOnceLeaveOneLiveVersion() async throws {
        try await withApp { app in
            try await severalSwitchesAtOnce(on: app)
        }
    }

    @Test func twoServersStartingTogetherOnAnEmptyFileImportOnceAndMakeOneFirstModel() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("digits-together-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var settings = ServerSettings.testing()
        settings.database = .sqlite(path: path)
        try await startTogether(settings)
    }
}
