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

    /// Polls `app` until it serves `version`; the seconds it took, or nil after 3 s.
    func secondsUntil(_ app: Application, serves version: Int) async throws -> Double? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(3) {
            if try await servedVersion(app) == version { return Double((ContinuousClock.now - start).components.attoseconds) / 1e18 }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    @Test func aPromotionOrRollbackOnOneServerIsServedByTheOtherWithinTwoSeconds() async throws {
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
                let promoted = try await secondsUntil(second, serves: 2)
                #expect(promoted != nil && promoted! < 2, "\(String(describing: promoted))")
                try await second.testing().test(.POST, "api/models/1/live", headers: admin) { #expect($0.status == .ok) }
                let rolledBack = try await secondsUntil(first, serves: 1)
                #expect(rolledBack != nil && rolledBack! < 2, "\(String(describing: rolledBack))")
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

/// Two servers start at the same moment on one empty database: one import, one version 1,
/// and both serve it.
func startTogether(_ settings: ServerSettings) async throws {
    async let first: Int? = withApp(settings: settings) { app in try model(of: app).live.current()?.version }
    async let second: Int? = withApp(settings: settings) { app in try model(of: app).live.current()?.version }
    let served = try await [first, second]
    #expect(served == [1, 1])
    let (digits, versions) = try await withApp(settings: settings) { app in
        (try await DigitRecord.query(on: app.db).count(), try await ModelVersionRecord.query(on: app.db).all().map(\.version))
    }
    #expect(digits == TestDigits.total)
    #expect(versions == [1])
}

/// Two owners of versions (two servers) roll back to different versions at the same moment,
/// ten times: each time exactly one row is live, and it is one of the two.
func severalSwitchesAtOnce(on app: Application) async throws {
    let retrainer = try model(of: app).retrainer
    _ = try await retrainer.retrainNow()
    await retrainer.waitUntilIdle()
    let metrics = ServerMetrics()
    let a = ModelVersions(database: app.db, live: LiveModel(), logger: app.logger, metrics: metrics)
    let b = ModelVersions(database: app.db, live: LiveModel(), logger: app.logger, metrics: metrics)
    for _ in 0..<10 {
        async let one = a.rollBack(to: 1)
        async let two = b.rollBack(to: 2)
        _ = try await (one, two)
        let live = try await ModelVersionRecord.query(on: app.db).filter(\.$isLive == true).all().map(\.version)
        #expect(live.count == 1 && [1, 2].contains(live[0]), "\(live)")
    }
}

/// Twenty people's digits stored at once get twenty distinct positions: exactly every fifth
/// is held out.
func concurrentStoresHoldOutEveryFifth(on app: Application) async throws {
    let digit = try DigitNormaliser.normalise(png: sevenPNG())
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<20 {
            group.addTask {
                _ = try await DigitStore.store(digit, label: 7, guessed: 7, key: nil, every: 1_000, on: app.db)
            }
        }
        try await group.waitForAll()
    }
    let people = try await DigitRecord.query(on: app.db).filter(\.$source == .person).all()
    #expect(people.count == 20)
    #expect(people.filter { !$0.inTrainingSet }.count == 4)
}
