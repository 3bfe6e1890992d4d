import Fluent
import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

/// Each version keeps what it changed: per digit before → after on people's held-out digits, how
/// many digits of how many contributors it learned, and it tells a visitor which versions
/// learned theirs, without ever showing who else's.
@Suite(.serialized)
struct VersionChangesTests {
    /// Stores a seven as `contributor` (a new one when nil) from `address` (behind the trusted
    /// proxy: people are told apart by address first); what the store answered and the id.
    func store(as contributor: String?, from address: String, on app: Application) async throws -> (
        stored: StoredDigitResponse, contributor: String
    ) {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "X-Forwarded-For": address]
        if let contributor { headers.add(name: Contributors.header, value: contributor) }
        let body = ByteBuffer(string: #"{"image": "\#(Data(sevenPNG()).base64EncodedString())", "label": 7}"#)
        var result: (StoredDigitResponse, String)?
        try await app.testing(method: .running(port: 0)).test(.POST, "api/digits", headers: headers, body: body) { response in
            #expect(response.status == .created)
            result = (
                try response.content.decode(StoredDigitResponse.self), try #require(response.headers.first(name: Contributors.header))
            )
        }
        return try #require(result)
    }

    /// Ten digits from one contributor: the id, and how many went to training.
    func tenDigits(from address: String, on app: Application) async throws -> (contributor: String, training: Int) {
        let first = try await store(as: nil, from: address, on: app)
        var training = first.stored.set == "training" ? 1 : 0
        for _ in 1..<10 {
            if try await store(as: first.contributor, from: address, on: app).stored.set == "training" { training += 1 }
        }
        try await model(of: app).retrainer.waitUntilIdle()
        return (first.contributor, training)
    }

    func history(as contributor: String?, on app: Application) async throws -> [Int: ModelVersionResponse] {
        var headers = HTTPHeaders()
        if let contributor { headers.add(name: Contributors.header, value: contributor) }
        var versions: [ModelVersionResponse] = []
        try await app.testing().test(.GET, "api/models", headers: headers) { response in
            #expect(response.status == .ok)
            versions = try response.content.decode(ModelHistoryResponse.self).versions
            #expect(!response.body.string.contains("newByContributor"), "no contributor id is served")
        }
        return Dictionary(uniqueKeysWithValues: versions.map { ($0.version, $0) })
    }

    @Test func aVersionKeepsWhatItChangedAndTellsAVisitorWhetherItLearnedTheirs() async throws {
        try await withApp({
            $0.retraining.learningGuard.corroboratingAddresses = 0
            $0.trustedProxies = ["127.0.0.1", "::1"]
        }) { app in
            let carol = try await tenDigits(from: "203.0.113.1", on: app)
            let alice = try await tenDigits(from: "203.0.113.2", on: app)
            let asCarol = try await history(as: carol.contributor, on: app)
            #expect(asCarol[1]?.changes == nil, "the first model was not judged against another")
            let second = try #require(asCarol[2])
            let third = try #require(asCarol[3])
            #expect(second.outcome == "promoted")
            let changes = try #require(third.changes)
            #expect(changes.comparedWith == 2)
            // Judged on Carol's held-out sevens only: Alice's digits made it.
            #expect(changes.perDigit.map(\.digit) == Array(0..<10))
            #expect(changes.perDigit[7].heldOut == 10 - carol.training)
            #expect(changes.perDigit.map(\.heldOut).reduce(0, +) == third.peopleHeldOut)
            let right = changes.perDigit.map(\.rightAfter).reduce(0, +)
            #expect(Double(right) / Double(max(1, third.peopleHeldOut ?? 0)) == third.peopleAccuracy ?? 0)
            #expect(changes.learnedDigits == carol.training + alice.training)
            #expect(changes.learnedContributors == 2)
            #expect(changes.newDigits == alice.training && changes.newContributors == 1)
            #expect(second.changes?.newDigits == carol.training)
            // Carol's digits are in version 2; Alice's in version 3; nobody's in a stranger's view.
            #expect(second.yourDigits == carol.training && third.yourDigits == nil)
            let asAlice = try await history(as: alice.contributor, on: app)
            #expect(asAlice[2]?.yourDigits == nil && asAlice[3]?.yourDigits == alice.training)
            #expect(try await history(as: nil, on: app).values.allSatisfy { $0.yourDigits == nil })
            try await app.testing().test(.GET, "api/models", headers: [Contributors.header: "forged"]) {
                #expect($0.status == .badRequest)
            }
        }
    }
}
