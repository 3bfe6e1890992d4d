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

    @Test func behindATrustedProxyEachClientHasItsOwnLimit() async throws {
        // Over a real socket from loopback, which stands for nginx there.
        try await withApp({
            $0.storesPerMinute = 1
            $0.trustedProxies = ["127.0.0.1", "::1"]
        }) { app in
            let body = ByteBuffer(string: #"{"image": "\#(Data(sevenPNG()).base64EncodedString())", "label": 7}"#)
            func store(from client: String) async throws -> HTTPStatus {
                var status = HTTPStatus.ok
                try await app.testing(method: .running(port: 0)).test(
                    .POST, "api/digits", headers: ["Content-Type": "application/json", "X-Forwarded-For": client], body: body
                ) { status = $0.status }
                return status
            }
            let statuses = [
                try await store(from: "203.0.113.7"),
                // Another client behind the same proxy.
                try await store(from: "203.0.113.8"),
                try await store(from: "203.0.113.7"),
                // A forged address to the left of the real one changes nothing.
                try await store(from: "198.51.100.1, 203.0.113.7"),
            ]
            #expect(statuses == [.created, .created, .tooManyRequests, .tooManyRequests])
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

extension RateLimiter {
    /// A token in a write transaction of its own, as a store's would take it.
    func take(for client: String, at now: Date, on database: any Database) async throws -> Double? {
        try await database.writeTransaction { transaction in try await take(for: client, at: now, in: transaction) }
    }
}

struct RateLimiterTests {
    @Test func aBucketRefillsAtTheRate() async throws {
        try await withApp { app in
            let limiter = RateLimiter(perMinute: 6)
            let start = Date(timeIntervalSince1970: 1_000_000)
            for _ in 0..<6 { #expect(try await limiter.take(for: "a", at: start, on: app.db) == nil) }
            let wait = try #require(try await limiter.take(for: "a", at: start, on: app.db))
            #expect(abs(wait - 10) < 1e-9, "\(wait)")
            #expect(try await limiter.take(for: "b", at: start, on: app.db) == nil)
            #expect(try await limiter.take(for: "a", at: start.addingTimeInterval(10), on: app.db) == nil)
            #expect(try await limiter.take(for: "a", at: start.addingTimeInterval(10), on: app.db) != nil)
            // A minute later every bucket is full again, and forgetting it changes nothing.
            try await RateLimiter.forgetFullBuckets(at: start.addingTimeInterval(71), on: app.db)
            for _ in 0..<6 { #expect(try await limiter.take(for: "a", at: start.addingTimeInterval(71), on: app.db) == nil) }
        }
    }

    @Test func twoServersOnOneDatabaseShareTheBuckets() async throws {
        let copy = try await TemplateDatabase.testDigits.copy()
        defer { try? FileManager.default.removeItem(atPath: copy) }
        var settings = ServerSettings.testing()
        settings.database = .sqlite(path: copy)
        settings.storesPerMinute = 2
        try await withApp(settings: settings) { first in
            try await withApp(settings: settings) { second in
                _ = try await storeSeven(on: first)
                _ = try await storeSeven(on: second)
                let body = ByteBuffer(string: #"{"image": "\#(Data(sevenPNG()).base64EncodedString())", "label": 7}"#)
                for app in [first, second] {
                    try await app.testing().test(.POST, "api/digits", headers: ["Content-Type": "application/json"], body: body) {
                        #expect($0.status == .tooManyRequests)
                    }
                }
            }
        }
    }

    @Test func tokensCompareOnlyWhenEqual() {
        #expect(AdminGuard.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!AdminGuard.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!AdminGuard.constantTimeEqual([1, 2], [1, 2, 3]))
    }
}

struct TrustedProxiesTests {
    let proxies = TrustedProxies(["127.0.0.1", "10.0.0.0/8", "fd00::/8"])

    @Test func readsTheClientOnlyFromATrustedPeer() {
        let headers: HTTPHeaders = ["X-Forwarded-For": "203.0.113.7"]
        #expect(proxies.client(peer: "127.0.0.1", headers: headers) == "203.0.113.7")
        #expect(proxies.client(peer: "10.1.2.3", headers: headers) == "203.0.113.7")
        #expect(proxies.client(peer: "fd12::1", headers: headers) == "203.0.113.7")
        #expect(proxies.client(peer: "::ffff:127.0.0.1", headers: headers) == "203.0.113.7", "IPv4-mapped")
        #expect(proxies.client(peer: "192.0.2.1", headers: headers) == nil, "an untrusted peer's header is ignored")
        #expect(TrustedProxies().client(peer: "127.0.0.1", headers: headers) == nil, "no proxy trusted by default")
        #expect(proxies.client(peer: "127.0.0.1", headers: [:]) == nil)
    }

    @Test func takesTheFirstUntrustedAddressFromTheRight() {
        let chained: HTTPHeaders = ["X-Forwarded-For": "198.51.100.1, 203.0.113.7, 10.0.0.2"]
        #expect(proxies.client(peer: "127.0.0.1", headers: chained) == "203.0.113.7")
        var lines = HTTPHeaders()
        lines.add(name: "X-Forwarded-For", value: "198.51.100.1")
        lines.add(name: "X-Forwarded-For", value: "203.0.113.7")
        #expect(proxies.client(peer: "127.0.0.1", headers: lines) == "203.0.113.7")
        #expect(proxies.client(peer: "127.0.0.1", headers: ["X-Forwarded-For": "10.0.0.5, 10.0.0.2"]) == "10.0.0.5")
    }

    @Test func readsRFC7239Forwarded() {
        let forwarded: HTTPHeaders = ["Forwarded": #"for=198.51.100.1, for="[2001:db8::7]:4711";proto=https, for=10.0.0.2"#]
        #expect(proxies.client(peer: "127.0.0.1", headers: forwarded) == "2001:db8::7")
        #expect(proxies.client(peer: "127.0.0.1", headers: ["Forwarded": "for=203.0.113.7:8080"]) == "203.0.113.7")
    }

    @Test func parsesAddressesAndNetworks() {
        #expect(TrustedProxies.Network(parsing: "10.0.0.0/8") != nil)
        #expect(TrustedProxies.Network(parsing: "::1") != nil)
        #expect(TrustedProxies.Network(parsing: "2001:db8::/32") != nil)
        for bad in ["", "10.0.0.0/33", "256.1.1.1", "1.2.3", "example.com", "1:2:3:4:5:6:7:8:9", "::1/129", "1::2::3"] {
            #expect(TrustedProxies.Network(parsing: bad) == nil, "\(bad)")
        }
    }
}
