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
    func server() -> Retrainer {
        let metrics = ServerMetrics()
        let versions = ModelVersions(database: app.db, live: LiveModel(), logger: app.logger, metrics: metrics)
        return Retrainer(settings: settings, database: app.db, versions: versions, logger: app.logger, metrics: metrics)
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

@Suite(.serialized)
struct RetrainingTests {
    func store(_ label: Int, on app: Application) async throws -> StoredDigitResponse {
        try await storeSeven(label: label, on: app)
    }

    /// A model-state row marked as training, as a claim (or a crash during training) leaves it.
    func trainingRow(version: Int) -> ModelVersionRecord {
        let record = ModelVersionRecord()
        record.version = version
        record.modelFile = ""
        record.isTraining = true
        record.isLive = false
        record.hyperparameters = "{}"
        record.trainedOn = 0
        record.peopleDigits = 0
        return record
    }

    func versions(on app: Application) async throws -> [ModelVersionRecord] {
        try await ModelVersionRecord.query(on: app.db).sort(\.$version).all()
    }

    func retrainer(of app: Application) throws -> Retrainer { try model(of: app).retrainer }

    @Test func tenVerifiedDigitsStartOneRetrainingAndTheNewModelGoesLive() async throws {
        try await withApp { app in
            var responses: [StoredDigitResponse] = []
            for _ in 0..<10 { responses.append(try await store(7, on: app)) }
            #expect(responses.map(\.digitsUntilRetraining) == [9, 8, 7, 6, 5, 4, 3, 2, 1, 10])
            #expect(responses.map(\.retrainingStarted) == [nil, nil, nil, nil, nil, nil, nil, nil, nil, 2])
            try await retrainer(of: app).waitUntilIdle()

            let records = try await versions(on: app)
            #expect(records.map(\.version) == [1, 2])
            let second = try #require(records.last)
            #expect(second.outcome == .promoted)
            #expect(second.isLive && !second.isTraining)
            #expect(second.peopleDigits == 10)
            #expect(second.trainedOn == TestDigits.trainingCount + 8)
            #expect(second.peopleAccuracy != nil)
            #expect((second.testAccuracy ?? 0) > 0.8)
            #expect(records.first?.isLive == false)
            try await app.testing().test(.POST, "api/guess", headers: ["Content-Type": "image/png"], body: ByteBuffer(bytes: sevenPNG())) {
                response in
                let guess = try response.content.decode(GuessResponse.self)
                #expect(guess.modelVersion == 2)
            }
        }
    }

    @Test func concurrentStoresAtTheThresholdStartExactlyOneRetraining() async throws {
        try await withApp { app in
            for _ in 0..<8 { _ = try await store(3, on: app) }
            let stored = try await withThrowingTaskGroup(of: StoredDigitResponse.self) { group in
                for _ in 0..<6 { group.addTask { try await store(3, on: app) } }
                return try await group.reduce(into: [StoredDigitResponse]()) { $0.append($1) }
            }
            #expect(stored.compactMap(\.retrainingStarted) == [2])
            // However the stores interleave with the claim, no count says more than `every`.
            #expect(stored.allSatisfy { (0...10).contains($0.digitsUntilRetraining) }, "\(stored.map(\.digitsUntilRetraining))")
            try await retrainer(of: app).waitUntilIdle()
            #expect(try await versions(on: app).map(\.version) == [1, 2])
        }
    }

    @Test func twoServersOnOneDatabaseClaimOneRetraining() async throws {
        try await withApp { app in
            try await claimFromTwoServers(on: app, settings: ServerSettings.testing()) { claimed in
                #expect(claimed == [2])
                // The database itself refuses a second row marked as training.
                let intruder = trainingRow(version: 3)
                await #expect(throws: (any Error).self) { try await intruder.create(on: app.db) }
            }
        }
    }

    @Test func aWorseModelIsKeptButNotPromoted() async throws {
        // The template's version 1 learned with η 0.5; η 500 saturates every neuron.
        try await withApp({ $0.training.eta = 500 }) { app in
            for _ in 0..<10 { _ = try await store(1, on: app) }
            try await retrainer(of: app).waitUntilIdle()
            let records = try await versions(on: app)
            let second = try #require(records.last)
            #expect(second.version == 2)
            #expect(second.outcome == .rejected)
            #expect(!second.isLive && !second.isTraining)
            #expect(second.reason?.contains("MNIST validation") == true, "\(second.reason ?? "")")
            #expect(!second.modelFile.isEmpty)
            #expect(records.first?.isLive == true)
            #expect(try model(of: app).live.current()?.version == 1)
        }
    }

    @Test func cancellingLeavesTheLiveModelAndNothingStuck() async throws {
        try await withApp({
            $0.networkSizes = [784, 100, 10]
            $0.training.epochs = 3_000  // on the test digits, a run only a cancel ends
        }) { app in
            let retrainer = try retrainer(of: app)
            #expect(try await retrainer.retrainNow() == 2)
            #expect(try await retrainer.retrainNow() == nil)
            while retrainer.current?.progress ?? 0 == 0 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(await retrainer.cancel() == .cancelling(2))
            await retrainer.waitUntilIdle()
            let second = try #require(try await versions(on: app).last)
            #expect(second.outcome == .cancelled)
            #expect(!second.isTraining && !second.isLive)
            #expect(try model(of: app).live.current()?.version == 1)
            #expect(try await retrainer.retrainNow() == 3)
            _ = await retrainer.cancel()
            await retrainer.waitUntilIdle()
        }
    }

    @Test func aFailedRetrainingIsRecordedAndTheNextOneCanStart() async throws {
        try await withApp { app in
            try await DigitRecord.query(on: app.db).filter(\.$source == .mnistValidation).delete()
            let retrainer = try retrainer(of: app)
            #expect(try await retrainer.retrainNow() == 2)
            await retrainer.waitUntilIdle()
            let second = try #require(try await versions(on: app).last)
            #expect(second.outcome == .failed)
            #expect(second.reason?.contains("0 validation digits") == true, "\(second.reason ?? "")")
            #expect(!second.isTraining)
            #expect(try model(of: app).live.current()?.version == 1)
            #expect(try await retrainer.retrainNow() == 3)
            await retrainer.waitUntilIdle()
        }
    }

    @Test func aRetrainingCutShortByACrashIsClearedAtStartUp() async throws {
        var settings = ServerSettings.testing()
        let copy = try await TemplateDatabase.testDigits.copy()
        settings.database = .sqlite(path: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try await withApp(settings: settings) { app in
            // What a crash leaves: a claimed row, still marked as training.
            try await trainingRow(version: 2).create(on: app.db)
        }
        try await withApp(settings: settings) { app in
            let second = try #require(try await versions(on: app).last)
            #expect(second.outcome == .failed)
            #expect(!second.isTraining)
            #expect(try await retrainer(of: app).retrainNow() == 3)
            try await retrainer(of: app).waitUntilIdle()
        }
    }
}
