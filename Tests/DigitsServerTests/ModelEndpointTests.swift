import Fluent
import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

@Suite(.serialized)
struct ModelEndpointTests {
    @Test func showsTheLiveModelAndTheHistory() async throws {
        try await withApp { app in
            try await app.testing().test(.GET, "api/model") { response in
                #expect(response.status == .ok)
                let status = try response.content.decode(ModelStatusResponse.self)
                #expect(status.live.version == 1)
                #expect(status.live.isLive)
                #expect(status.live.outcome == "promoted")
                #expect((status.live.testAccuracy ?? 0) > 0.8)
                #expect(status.live.hyperparameters?.sizes == [784, 20, 10])
                #expect(status.training == nil)
                #expect(status.digitsUntilRetraining == 10)
                #expect(status.retrainEvery == 10)
            }
            try await app.testing().test(.GET, "api/models") { response in
                let history = try response.content.decode(ModelHistoryResponse.self)
                #expect(history.versions.map(\.version) == [1])
            }
        }
    }

    @Test func adminActionsNeedTheToken() async throws {
        try await withApp { app in
            let attempts: [(HTTPMethod, String)] = [
                (.POST, "api/model/retrain"), (.DELETE, "api/model/training"), (.POST, "api/models/1/live"),
                (.DELETE, "api/digits/\(UUID())"),
            ]
            for (method, path) in attempts {
                try await app.testing().test(method, path) { response in
                    #expect(response.status == .unauthorized, "\(path)")
                    let decoded = try response.content.decode(ErrorBody.self)
                    #expect(decoded.reason.contains("admin token"))
                }
                try await app.testing().test(method, path, headers: ["Authorization": "Bearer not-the-token"]) { response in
                    #expect(response.status == .unauthorized, "\(path)")
                    let decoded = try response.content.decode(ErrorBody.self)
                    #expect(decoded.reason == "the admin token is wrong")
                }
            }
            #expect(try await ModelVersionRecord.query(on: app.db).count() == 1)
        }
    }

    @Test func anAdminRetrainsCancelsAndRollsBack() async throws {
        try await withApp { app in
            let retrainer = try model(of: app).retrainer
            try await app.testing().test(.POST, "api/model/retrain", headers: adminHeaders) { response in
                #expect(response.status == .accepted)
                let decoded = try response.content.decode(RetrainingResponse.self)
                #expect(decoded.version == 2)
            }
            try await app.testing().test(.POST, "api/model/retrain", headers: adminHeaders) { response in
                #expect(response.status == .conflict)
            }
            try await app.testing().test(.GET, "api/model") { response in
                let status = try response.content.decode(ModelStatusResponse.self)
                #expect(status.training?.version == 2)
                #expect(status.live.version == 1)
            }
            await retrainer.waitUntilIdle()
            try await app.testing().test(.DELETE, "api/model/training", headers: adminHeaders) { response in
                #expect(response.status == .notFound)
            }
            try await app.testing().test(.GET, "api/models") { response in
                let history = try response.content.decode(ModelHistoryResponse.self)
                #expect(history.versions.map(\.version) == [2, 1])
                #expect(history.versions.first?.outcome == "promoted")
                #expect(history.versions.first?.isLive == true)
            }

            try await app.testing().test(.POST, "api/models/1/live", headers: adminHeaders) { response in
                #expect(response.status == .ok)
                let decoded = try response.content.decode(ModelVersionResponse.self)
                #expect(decoded.isLive)
            }
            try await app.testing().test(.POST, "api/guess", headers: ["Content-Type": "image/png"], body: ByteBuffer(bytes: sevenPNG())) {
                response in
                let guess = try response.content.decode(GuessResponse.self)
                #expect(guess.modelVersion == 1)
            }
            let live = try await ModelVersionRecord.query(on: app.db).filter(\.$isLive == true).all().map(\.version)
            #expect(live == [1])
            for (path, status) in [("api/models/99/live", HTTPStatus.notFound), ("api/models/one/live", .badRequest)] {
                try await app.testing().test(.POST, path, headers: adminHeaders) { response in
                    #expect(response.status == status, "\(path)")
                }
            }
        }
    }

    @Test func anAdminCancelsARetraining() async throws {
        try await withApp({
            $0.networkSizes = [784, 100, 10]
            $0.training.epochs = 3_000  // on the test digits, a run only a cancel ends
        }) { app in
            let retrainer = try model(of: app).retrainer
            _ = try await retrainer.retrainNow()
            try await app.testing().test(.DELETE, "api/model/training", headers: adminHeaders) { response in
                #expect(response.status == .ok)
                let decoded = try response.content.decode(RetrainingResponse.self)
                #expect(decoded.version == 2)
            }
            await retrainer.waitUntilIdle()
            // A cancelled version has no network to roll back to.
            try await app.testing().test(.POST, "api/models/2/live", headers: adminHeaders) { response in
                #expect(response.status == .conflict)
            }
        }
    }
}
