import Fluent
import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

/// A web server and a trainer on one SQLite file, as `digits serve --role web` and
/// `--role trainer` would run them.
@Suite(.serialized)
struct ServerRoleTests {
    @Test func aWebServerTrainsNothingAndATrainerTrainsWhatItsDigitsCallFor() async throws {
        let copy = try await TemplateDatabase.testDigits.copy()
        defer { try? FileManager.default.removeItem(atPath: copy) }
        var web = ServerSettings.testing()
        web.database = .sqlite(path: copy)
        web.role = .web
        var trainer = web
        trainer.role = .trainer
        try await withApp(settings: trainer) { trainerApp in
            try await withApp(settings: web) { webApp in
                try await webApp.testing().test(.GET, "health") { response in
                    let health = try response.content.decode(HealthResponse.self)
                    #expect(health.role == "web")
                }
                var last: StoredDigitResponse?
                for _ in 0..<10 { last = try await storeSeven(label: 7, on: webApp) }
                #expect(last?.retrainingStarted == nil, "a web server starts no retraining")
                #expect(try model(of: webApp).retrainer.current == nil)
                // The trainer finds the due digits within a second, trains, promotes; the web
                // server follows within another.
                let deadline = Date().addingTimeInterval(20)
                while try model(of: webApp).live.current()?.version != 2, Date() < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(try model(of: webApp).live.current()?.version == 2)
                let row = try #require(try await ModelVersionRecord.query(on: webApp.db).filter(\.$version == 2).first())
                #expect(row.trainer == (try model(of: trainerApp).serverID))

                // Retrain now, asked of the web server: a row for the trainer, which takes it.
                try await webApp.testing().test(.POST, "api/model/retrain", headers: adminHeaders) { response in
                    #expect(response.status == .accepted)
                    #expect(response.body.string.contains("for the next trainer to take"), "\(response.body.string)")
                }
                let taken = Date().addingTimeInterval(20)
                while try await ModelVersionRecord.query(on: webApp.db).filter(\.$version == 3).first()?.isTraining != false,
                    Date() < taken
                {
                    try await Task.sleep(for: .milliseconds(50))
                }
                let third = try #require(try await ModelVersionRecord.query(on: webApp.db).filter(\.$version == 3).first())
                #expect(!third.isTraining)
                #expect(third.trainer == (try model(of: trainerApp).serverID))
            }
        }
    }

    @Test func aCancelAskedOfAWebServerStopsTheTrainersRetraining() async throws {
        let copy = try await TemplateDatabase.testDigits.copy()
        defer { try? FileManager.default.removeItem(atPath: copy) }
        var web = ServerSettings.testing()
        web.database = .sqlite(path: copy)
        web.role = .web
        web.training.epochs = 3_000
        web.retraining.leaseSeconds = 0.4
        var trainer = web
        trainer.role = .trainer
        try await withApp(settings: trainer) { trainerApp in
            try await withApp(settings: web) { webApp in
                #expect(try await model(of: trainerApp).retrainer.retrainNow() == 2)
                while try model(of: trainerApp).retrainer.current?.progress ?? 0 == 0 { try await Task.sleep(for: .milliseconds(20)) }
                try await webApp.testing().test(.DELETE, "api/model/training", headers: adminHeaders) { response in
                    #expect(response.status == .ok, "\(response.body.string)")
                }
                await (try model(of: trainerApp)).retrainer.waitUntilIdle()
                let row = try #require(try await ModelVersionRecord.query(on: webApp.db).filter(\.$version == 2).first())
                #expect(row.outcome == .cancelled)
            }
        }
    }
}
