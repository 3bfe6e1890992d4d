import Fluent
import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

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
        record.cancelRequested = false
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
        // One client's corrections count here: the stand-in model reads the seven as another digit.
        try await withApp({ $0.retraining.learningGuard.corroboratingAddresses = 0 }) { app in
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
            #expect(second.trainedOn == 8 + min(TestDigits.trainingCount, RetrainingPolicy().replayAtLeast))
            // Its two held-out digits are of the one client whose digits made it: not judged on.
            #expect(second.peopleHeldOut == 0 && second.peopleAccuracy == nil)
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
            }
            // The database itself refuses a second row marked as training.
            try await trainingRow(version: 3).create(on: app.db)
            let intruder = trainingRow(version: 4)
            await #expect(throws: (any Error).self) { try await intruder.create(on: app.db) }
        }
    }

    @Test func aWorseModelIsKeptButNotPromoted() async throws {
        // The template's version 1 learned with η 0.5; η 500 saturates every neuron of a network
        // trained from scratch.
        try await withApp({ $0.training.eta = 500 }) { app in
            _ = try await retrainer(of: app).retrainNow()
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

    @Test func aFineTuningThatDivergesIsRejectedInWords() async throws {
        try await withApp({ $0.retraining.fineTuneEta = 1e30 }) { app in
            for _ in 0..<10 { _ = try await store(1, on: app) }
            try await retrainer(of: app).waitUntilIdle()
            let second = try #require(try await versions(on: app).last)
            #expect(second.outcome == .rejected, "\(second.reason ?? "")")
            #expect(second.reason?.contains("diverged") == true, "\(second.reason ?? "")")
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
            #expect(try await retrainer.cancel() == .cancelling(2))
            await retrainer.waitUntilIdle()
            let second = try #require(try await versions(on: app).last)
            #expect(second.outcome == .cancelled)
            #expect(!second.isTraining && !second.isLive)
            #expect(try model(of: app).live.current()?.version == 1)
            #expect(try await retrainer.retrainNow() == 3)
            _ = try await retrainer.cancel()
            await retrainer.waitUntilIdle()
        }
    }

    /// MNIST is read once per process, so the digits go before the server starts: a first
    /// server deletes the validation digits, and the next one on the file cannot retrain.
    @Test func aFailedRetrainingIsRecordedAndTheNextOneCanStart() async throws {
        let copy = try await TemplateDatabase.testDigits.copy()
        defer { try? FileManager.default.removeItem(atPath: copy) }
        var settings = ServerSettings.testing()
        settings.database = .sqlite(path: copy)
        try await withApp(settings: settings) { app in
            try await DigitRecord.query(on: app.db).filter(\.$source == .mnistValidation).delete()
        }
        try await withApp(settings: settings) { app in
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

    @Test func aRetrainingWhoseTrainerDiedIsTakenOverAndFinishedAtStartUp() async throws {
        var settings = ServerSettings.testing()
        let copy = try await TemplateDatabase.testDigits.copy()
        settings.database = .sqlite(path: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try await withApp(settings: settings) { app in
            // What a trainer killed mid-training leaves: its claim, with a lease that ran out.
            let claim = trainingRow(version: 2)
            claim.trainer = "a-trainer-that-died"
            claim.leaseExpiresAt = Date().addingTimeInterval(-1)
            try await claim.create(on: app.db)
        }
        try await withApp(settings: settings) { app in
            try await retrainer(of: app).waitUntilIdle()
            let second = try #require(try await versions(on: app).last)
            #expect(second.version == 2)
            #expect(!second.isTraining)
            #expect(second.outcome == .promoted || second.outcome == .rejected, "\(second.outcome?.rawValue ?? "training")")
            #expect(second.trainer == (try model(of: app).serverID))
            #expect(try await retrainer(of: app).retrainNow() == 3)
            try await retrainer(of: app).waitUntilIdle()
        }
    }

    @Test func aClaimWhoseTrainerIsAliveIsLeftAloneUntilItsLeaseRunsOut() async throws {
        try await withApp({ $0.retraining.leaseSeconds = 1.5 }) { app in
            let claim = trainingRow(version: 2)
            claim.trainer = "another-server"
            claim.leaseExpiresAt = Date().addingTimeInterval(1.5)
            try await claim.create(on: app.db)
            let retrainer = try retrainer(of: app)
            // Alive: neither failed nor taken, and no second retraining beside it.
            #expect(await retrainer.considerRetraining() == nil)
            #expect(try await retrainer.retrainNow() == nil)
            #expect(try await versions(on: app).last?.isTraining == true)
            // Every server shows it, from the row.
            try await app.testing().test(.GET, "api/model") { response in
                let status = try response.content.decode(ModelStatusResponse.self)
                #expect(status.training?.version == 2)
                #expect(status.training?.stage == .waitingForTrainer, "no status written yet")
            }
            // Its lease runs out unrenewed: the periodic check takes it over within a second.
            let deadline = Date().addingTimeInterval(5)
            while try await versions(on: app).last?.trainer != (try model(of: app).serverID), Date() < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await versions(on: app).last?.trainer == (try model(of: app).serverID))
            await retrainer.waitUntilIdle()
            #expect(try await versions(on: app).last?.isTraining == false)
        }
    }

    @Test func aTrainerRenewsItsLeaseAndWritesItsStatusWhileItTrains() async throws {
        try await withApp({
            $0.training.epochs = 3_000; $0.retraining.leaseSeconds = 2
        }) { app in
            let retrainer = try retrainer(of: app)
            #expect(try await retrainer.retrainNow() == 2)
            try await Task.sleep(for: .seconds(2.5))
            let row = try #require(try await versions(on: app).last)
            #expect(row.isTraining)
            #expect((row.leaseExpiresAt ?? .distantPast) > Date(), "the lease was renewed past its first 2 s")
            #expect(TrainingLease.status(of: row).stage == .training)
            _ = try await retrainer.cancel()
            await retrainer.waitUntilIdle()
            let closed = try #require(try await versions(on: app).last)
            #expect(closed.outcome == .cancelled)
            #expect(closed.leaseExpiresAt == nil && closed.trainingStatus == nil)
        }
    }

    @Test func aTrainerThatLostItsLeaseWritesNothingMoreToTheRow() async throws {
        try await withApp({
            $0.training.epochs = 3_000; $0.retraining.leaseSeconds = 0.4
        }) { app in
            let retrainer = try retrainer(of: app)
            #expect(try await retrainer.retrainNow() == 2)
            // Another trainer takes the version over (as if this one had stalled past its lease).
            try await ModelVersionRecord.query(on: app.db).filter(\.$version == 2).set(\.$trainer, to: "the-other-trainer")
                .set(\.$leaseExpiresAt, to: Date().addingTimeInterval(60)).update()
            await retrainer.waitUntilIdle()
            let row = try #require(try await versions(on: app).last)
            #expect(row.isTraining, "the row is the other trainer's to close")
            #expect(row.trainer == "the-other-trainer")
            #expect(try model(of: app).live.current()?.version == 1)
        }
    }
}
