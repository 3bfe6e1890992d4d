import Fluent
import Foundation
import NIOCore
import NeuralNetwork
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

@Suite(.serialized)
struct ContributorTests {
    static let png = Data(sevenPNG()).base64EncodedString()

    /// Stores a seven labelled `label` from `address` (behind the trusted proxy), as `contributor`;
    /// the response's status and contributor header.
    @discardableResult
    func store(
        label: Int = 7, from address: String = "203.0.113.7", as contributor: String? = nil, cookie: String? = nil, on app: Application
    )
        async throws -> (status: HTTPStatus, contributor: String?, setCookie: String?)
    {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "X-Forwarded-For": address]
        if let contributor { headers.add(name: Contributors.header, value: contributor) }
        if let cookie { headers.add(name: .cookie, value: "\(Contributors.cookie)=\(cookie)") }
        var result: (HTTPStatus, String?, String?) = (.ok, nil, nil)
        try await app.testing(method: .running(port: 0)).test(
            .POST, "api/digits", headers: headers, body: ByteBuffer(string: #"{"image": "\#(Self.png)", "label": \#(label)}"#)
        ) { response in
            result = (response.status, response.headers.first(name: Contributors.header), response.headers.first(name: .setCookie))
        }
        return result
    }

    func withProxiedApp(_ adjust: @escaping (inout ServerSettings) -> Void = { _ in }, _ body: (Application) async throws -> Void)
        async throws
    {
        try await withApp(
            {
                $0.trustedProxies = ["127.0.0.1", "::1"]
                $0.retraining.every = 1_000
                adjust(&$0)
            }, body)
    }

    @Test func aStoreIssuesAnIDThatLaterStoresKeep() async throws {
        try await withProxiedApp { app in
            let first = try await store(on: app)
            #expect(first.status == .created)
            let id = try #require(first.contributor)
            let cookie = try #require(first.setCookie)
            #expect(cookie.contains("\(Contributors.cookie)=\(id)"))
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            let again = try await store(as: id, on: app)
            #expect(again.status == .created && again.contributor == id && again.setCookie == nil)
            let fromCookie = try await store(cookie: id, on: app)
            #expect(fromCookie.contributor == id)
            let records = try await DigitRecord.query(on: app.db).filter(\.$source == .person).all()
            #expect(records.map(\.contributor) == [id, id, id])
            let hash = try model(of: app).contributors.hash(address: "203.0.113.7")
            #expect(records.allSatisfy { $0.clientHash == hash })
        }
    }

    @Test func anIDTheServerDidNotIssueIsRefusedInWords() async throws {
        try await withProxiedApp { app in
            var headers: HTTPHeaders = ["Content-Type": "application/json", Contributors.header: "made-up.id"]
            headers.add(name: "X-Forwarded-For", value: "203.0.113.7")
            try await app.testing().test(
                .POST, "api/digits", headers: headers, body: ByteBuffer(string: #"{"image": "\#(Self.png)", "label": 7}"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.body.string.contains("leave it out"))
            }
            #expect(try await DigitRecord.query(on: app.db).filter(\.$source == .person).count() == 0)
        }
    }

    @Test func anAdminListsAndDeletesOneContributorsDigits() async throws {
        try await withProxiedApp { app in
            let mine = try #require(try await store(on: app).contributor)
            try await store(as: mine, on: app)
            let theirs = try #require(try await store(from: "198.51.100.4", on: app).contributor)
            let admin: HTTPHeaders = ["Authorization": "Bearer test-admin-token"]
            try await app.testing().test(.GET, "api/contributors") { response in
                #expect(response.status == .unauthorized)
            }
            try await app.testing().test(.GET, "api/contributors", headers: admin) { response in
                #expect(response.status == .ok)
                let page = try response.content.decode(ContributorPage.self)
                #expect(page.total == 2)
                #expect(Set(page.items.map(\.id)) == [mine, theirs])
                #expect(page.items.first { $0.id == mine }?.digits == 2)
                #expect(page.items.first { $0.id == mine }?.addresses == 1)
            }
            try await app.testing().test(.GET, "api/contributors/\(mine)/digits", headers: admin) { response in
                let page = try response.content.decode(PersonDigitPage.self)
                #expect(page.total == 2)
            }
            try await app.testing().test(.DELETE, "api/contributors/\(mine)/digits", headers: admin) { response in
                #expect(response.status == .ok)
                let deletion = try response.content.decode(ContributorDeletion.self)
                #expect(deletion.deleted == 2)
            }
            let left = try await DigitRecord.query(on: app.db).filter(\.$source == .person).all()
            #expect(left.map(\.contributor) == [theirs])
            try await app.testing().test(.DELETE, "api/contributors/\(mine)/digits", headers: admin) { response in
                #expect(response.status == .notFound)
            }
            try await app.testing().test(.DELETE, "api/contributors/%3Cscript%3E/digits", headers: admin) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func storesAreLimitedPerContributorAsWellAsPerAddress() async throws {
        try await withProxiedApp({ $0.storesPerMinute = 2 }) { app in
            let id = try #require(try await store(from: "203.0.113.1", on: app).contributor)
            #expect(try await store(from: "203.0.113.2", as: id, on: app).status == .created)
            // A third address, the same contributor: its bucket is empty.
            #expect(try await store(from: "203.0.113.3", as: id, on: app).status == .tooManyRequests)
            // The third address itself still has its own tokens.
            #expect(try await store(from: "203.0.113.3", on: app).status == .created)
        }
    }

    /// One contributor labelling a drawing as something the model does not read in it: none of
    /// those digits is learned from, however many.
    @Test func aContributorsInventedLabelsAreNotLearned() async throws {
        try await withProxiedApp({ $0.retraining.every = 10 }) { app in
            let read = try await guess(on: app)
            let invented = read == 1 ? 2 : 1
            var id: String?
            for _ in 0..<20 { id = try await store(label: invented, from: "203.0.113.66", as: id, on: app).contributor ?? id }
            let retrainer = try model(of: app).retrainer
            try await retrainer.waitUntilIdle()
            let versions = try await ModelVersionRecord.query(on: app.db).sort(\.$version).all()
            #expect(versions.count == 3)
            let replayOnly = min(TestDigits.trainingCount, RetrainingPolicy().replayAtLeast)
            #expect(versions.dropFirst().allSatisfy { $0.trainedOn == replayOnly }, "\(versions.map(\.trainedOn))")
            #expect(try await guess(on: app) != invented)
        }
    }

    func guess(on app: Application) async throws -> Int {
        var digit = -1
        try await app.testing().test(.POST, "api/guess", headers: ["Content-Type": "image/png"], body: ByteBuffer(bytes: sevenPNG())) {
            digit = try $0.content.decode(GuessResponse.self).digit
        }
        return digit
    }
}
