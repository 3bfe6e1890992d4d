import Fluent
import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

let adminHeaders: HTTPHeaders = ["Authorization": "Bearer test-admin-token"]

func storeSeven(label: Int = 7, on app: Application) async throws -> StoredDigitResponse {
    let body = ByteBuffer(string: #"{"image": "\#(Data(sevenPNG()).base64EncodedString())", "label": \#(label)}"#)
    var stored: StoredDigitResponse?
    try await app.testing().test(.POST, "api/digits", headers: ["Content-Type": "application/json"], body: body) { response in
        #expect(response.status == .created)
        stored = try response.content.decode(StoredDigitResponse.self)
    }
    return try #require(stored)
}

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

@Suite(.serialized)
struct PeopleDigitsTests {
    @Test func listsPeoplesDigitsNewestFirstInPages() async throws {
        try await withApp { app in
            let stored = [
                try await storeSeven(label: 1, on: app), try await storeSeven(label: 2, on: app), try await storeSeven(label: 3, on: app),
            ]
            try await app.testing().test(.GET, "api/digits?per=2") { response in
                #expect(response.status == .ok)
                let page = try response.content.decode(PersonDigitPage.self)
                #expect(page.total == 3)
                #expect(page.items.map(\.label) == [3, 2])
                #expect(page.items.map(\.id) == [stored[2].id, stored[1].id])
                #expect(page.items.allSatisfy { $0.image.hasPrefix("data:image/png;base64,") && $0.guessedLabel != nil })
            }
            try await app.testing().test(.GET, "api/digits?per=2&page=2") { response in
                let page = try response.content.decode(PersonDigitPage.self)
                #expect(page.items.map(\.label) == [1])
            }
            for query in ["per=0", "per=101", "page=0", "page=x"] {
                try await app.testing().test(.GET, "api/digits?\(query)") { response in
                    #expect(response.status == .badRequest, "\(query)")
                }
            }
        }
    }

    @Test func anAdminDeletesAPersonsDigitButNoMNISTOne() async throws {
        try await withApp { app in
            let stored = try await storeSeven(on: app)
            try await app.testing().test(.DELETE, "api/digits/\(stored.id)", headers: adminHeaders) { response in
                #expect(response.status == .noContent)
            }
            try await app.testing().test(.DELETE, "api/digits/\(stored.id)", headers: adminHeaders) { response in
                #expect(response.status == .notFound)
            }
            let mnist = try #require(try await DigitRecord.query(on: app.db).filter(\.$source == .mnistTest).first())
            try await app.testing().test(.DELETE, "api/digits/\(try mnist.requireID())", headers: adminHeaders) { response in
                #expect(response.status == .notFound)
            }
            try await app.testing().test(.DELETE, "api/digits/not-a-uuid", headers: adminHeaders) { response in
                #expect(response.status == .badRequest)
            }
            #expect(try await DigitRecord.query(on: app.db).count() == TestDigits.total)
        }
    }

    @Test func storingIsRateLimitedPerClient() async throws {
        try await withApp({ $0.storesPerMinute = 2 }) { app in
            _ = try await storeSeven(on: app)
            _ = try await storeSeven(on: app)
            let body = ByteBuffer(string: #"{"image": "\#(Data(sevenPNG()).base64EncodedString())", "label": 7}"#)
            try await app.testing().test(.POST, "api/digits", headers: ["Content-Type": "application/json"], body: body) { response in
                #expect(response.status == .tooManyRequests)
                // Two a minute: the next token comes 30 s after the first was taken.
                let wait = response.headers.first(name: "Retry-After").flatMap(Int.init) ?? 0
                #expect((25...30).contains(wait), "\(wait)")
                let decoded = try response.content.decode(ErrorBody.self)
                #expect(decoded.reason.contains("at most 2 a minute"))
            }
            #expect(try await DigitRecord.query(on: app.db).filter(\.$source == .person).count() == 2)
            // Guessing is not limited.
            try await app.testing().test(.POST, "api/guess", headers: ["Content-Type": "image/png"], body: ByteBuffer(bytes: sevenPNG())) {
                #expect($0.status == .ok)
            }
        }
    }

    @Test func corsHeadersOnlyWhenConfigured() async throws {
        let preflight: HTTPHeaders = ["Origin": "https://digits.example", "Access-Control-Request-Method": "POST"]
        try await withApp { app in
            try await app.testing().test(.GET, "api/model", headers: preflight) { response in
                #expect(response.headers.first(name: .accessControlAllowOrigin) == nil)
            }
        }
        try await withApp({ $0.corsOrigins = ["https://digits.example"] }) { app in
            try await app.testing().test(.OPTIONS, "api/guess", headers: preflight) { response in
                #expect(response.headers.first(name: .accessControlAllowOrigin) == "https://digits.example")
            }
        }
    }
}

struct RateLimiterTests {
    @Test func aBucketRefillsAtTheRate() {
        let limiter = RateLimiter(perMinute: 6)
        let start = Date(timeIntervalSince1970: 0)
        for _ in 0..<6 { #expect(limiter.take(for: "a", at: start) == nil) }
        #expect(limiter.take(for: "a", at: start) == 10)
        #expect(limiter.take(for: "b", at: start) == nil)
        #expect(limiter.take(for: "a", at: start.addingTimeInterval(10)) == nil)
        #expect(limiter.take(for: "a", at: start.addingTimeInterval(10)) != nil)
    }

    @Test func tokensCompareOnlyWhenEqual() {
        #expect(AdminGuard.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!AdminGuard.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!AdminGuard.constantTimeEqual([1, 2], [1, 2, 3]))
    }
}
