import DigitImaging
import Fluent
import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

/// Two retrainers, standing for two server processes sharing `app`'s database, ask for a
/// retraining at the same moment; `body` gets the versions they claimed while the claimed
/// one runs, then both are shut down.
func claimFromTwoServers(on app: Application, settings: ServerSettings, _ body: ([Int]) async throws -> Void) async throws {
    // Training long enough that the claimed retraining still runs when the other server asks,
    // however late its claim (a fresh PostgreSQL connection took longer than one epoch, seen in
    // CI as two claims, one after the other); shutting down stops it at its next mini-batch.
    var settings = settings
    settings.training.epochs = 1_000
    func server() -> Retrainer {
        let metrics = ServerMetrics()
        let versions = ModelVersions(database: app.db, live: LiveModel(), logger: app.logger, metrics: metrics)
        return Retrainer(
            settings: settings, database: app.db, versions: versions, logger: app.logger, metrics: metrics,
            holder: ServerModel.newServerID(port: 0))
    }
    let first = server()
    let second = server()
    async let a = first.retrainNow()
    async let b = second.retrainNow()
    let claimed = try await [a, b].compactMap { $0 }
    try await body(claimed)
    await first.shutDown()
    await second.shutDown()
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
