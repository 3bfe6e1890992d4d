import Fluent
import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

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
