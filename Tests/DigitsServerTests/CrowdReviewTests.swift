import Fluent
import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

/// A version a crowd of newcomers taught is held, not promoted, and an admin approves or
/// discards it.
@Suite(.serialized)
struct CrowdReviewTests {
    /// Stores the test seven labelled `label` from `address` (behind the trusted proxy) as
    /// `contributor`; the contributor id the server answered with.
    @discardableResult
    func store(_ label: Int, from address: String, as contributor: String? = nil, on app: Application) async throws -> String {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "X-Forwarded-For": address]
        if let contributor { headers.add(name: Contributors.header, value: contributor) }
        let body = ByteBuffer(string: #"{"image": "\#(Data(sevenPNG()).base64EncodedString())", "label": \#(label)}"#)
        var id: String?
        try await app.testing(method: .running(port: 0)).test(.POST, "api/digits", headers: headers, body: body) { response in
            #expect(response.status == .created, "\(response.body.string)")
            id = response.headers.first(name: Contributors.header)
        }
        return try #require(id)
    }

    /// What the live model reads in the test seven.
    func guessed(on app: Application) async throws -> Int {
        var digit: Int?
        try await app.testing().test(.POST, "api/guess", headers: ["Content-Type": "image/png"], body: ByteBuffer(bytes: sevenPNG())) {
            digit = try $0.content.decode(GuessResponse.self).digit
        }
        return try #require(digit)
    }

    func row(_ version: Int, on app: Application) async throws -> ModelVersionRecord {
        try #require(try await ModelVersionRecord.query(on: app.db).filter(\.$version == version).first())
    }

    @Test func aCrowdOfNewcomersThatEarnedTrustGetsItsVersionHeldAndAnAdminDecides() async throws {
        try await withApp({
            $0.trustedProxies = ["127.0.0.1", "::1"]
            $0.retraining.every = 22
            $0.retraining.learningGuard = LearningGuard(corroboratingAddresses: 1, trustedAfter: 1)
            $0.retraining.crowdCheck = CrowdCheck(givers: 3, window: 10)
        }) { app in
            let read = try await guessed(on: app)
            let wrong = (read + 1) % 10
            // Ten digits of five established people, then three newcomers who each agree twice
            // (trusted) and correct twice: the 22nd digit starts version 2.
            for index in 0..<10 { try await store(read, from: "203.0.113.\(index % 5 + 1)", on: app) }
            for index in 0..<3 {
                let address = "198.51.100.\(index + 1)"
                let id = try await store(read, from: address, on: app)
                try await store(read, from: address, as: id, on: app)
                for _ in 0..<2 { try await store(wrong, from: address, as: id, on: app) }
            }
            try await model(of: app).retrainer.waitUntilIdle()
            let held = try await row(2, on: app)
            #expect(held.outcome == .held, "\(held.outcome?.rawValue ?? "training"): \(held.reason ?? "")")
            #expect(held.reason?.contains("3 new contributors taught it that what it read as \(read) is \(wrong) (6 digits)") == true)
            #expect(try await guessed(on: app) == read && (try model(of: app).live.current()?.version == 1), "nothing went live")
            // The model panel says why it was not used.
            try await app.testing().test(.GET, "api/model") { response in
                let status = try response.content.decode(ModelStatusResponse.self)
                #expect(status.lastNotPromoted?.version == 2 && status.lastNotPromoted?.outcome == "held")
            }
            // Only an admin decides; approving makes it live.
            try await app.testing().test(.POST, "api/models/2/approve") { #expect($0.status == .unauthorized) }
            try await app.testing().test(.POST, "api/models/2/approve", headers: adminHeaders) { response in
                #expect(response.status == .ok)
                let approved = try response.content.decode(ModelVersionResponse.self)
                #expect(approved.isLive && approved.outcome == "promoted")
                #expect(approved.reason?.hasPrefix("approved by an admin; it was held for an admin's review") == true)
            }
            #expect(try model(of: app).live.current()?.version == 2)
            try await app.testing().test(.POST, "api/models/2/discard", headers: adminHeaders) { #expect($0.status == .conflict) }
        }
    }

    @Test func anAdminDiscardsAHeldVersionAndOnlyAHeldOne() async throws {
        try await withApp { app in
            let live = try await row(1, on: app)
            let held = ModelVersionRecord(version: 2, hyperparameters: nil, peopleDigits: 0)
            held.modelFile = live.modelFile
            held.finish(.held, reason: "held for an admin's review: a test")
            try await held.create(on: app.db)
            try await app.testing().test(.POST, "api/models/1/discard", headers: adminHeaders) { response in
                #expect(response.status == .conflict)
                #expect(response.body.string.contains("only a held version can be approved or discarded"))
            }
            try await app.testing().test(.POST, "api/models/9/approve", headers: adminHeaders) { #expect($0.status == .notFound) }
            try await app.testing().test(.POST, "api/models/2/discard", headers: adminHeaders) { response in
                #expect(response.status == .ok)
                let discarded = try response.content.decode(ModelVersionResponse.self)
                #expect(discarded.outcome == "rejected" && !discarded.isLive)
                #expect(discarded.reason == "discarded by an admin; it was held for an admin's review: a test")
            }
            #expect(try await row(2, on: app).outcome == .rejected)
            #expect(try model(of: app).live.current()?.version == 1)
            try await app.testing().test(.POST, "api/models/2/approve", headers: adminHeaders) { #expect($0.status == .conflict) }
        }
    }
}
