import Fluent
import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

/// A contributor's own digits: listed and deleted by the id that gave them, never another's.
@Suite(.serialized)
struct MyDigitsTests {
    /// Stores a seven as `contributor` (a new one when nil); its id and the stored digit's.
    func store(as contributor: String? = nil, on app: Application) async throws -> (contributor: String, digit: UUID) {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let contributor { headers.add(name: Contributors.header, value: contributor) }
        let body = ByteBuffer(string: #"{"image": "\#(Data(sevenPNG()).base64EncodedString())", "label": 7}"#)
        var result: (String, UUID)?
        try await app.testing().test(.POST, "api/digits", headers: headers, body: body) { response in
            #expect(response.status == .created)
            let id = try #require(response.headers.first(name: Contributors.header))
            result = (id, try response.content.decode(StoredDigitResponse.self).id)
        }
        return try #require(result)
    }

    func mine(_ contributor: String?, on app: Application) async throws -> [UUID] {
        var headers = HTTPHeaders()
        if let contributor { headers.add(name: Contributors.header, value: contributor) }
        var ids: [UUID] = []
        try await app.testing().test(.GET, "api/my/digits", headers: headers) { response in
            #expect(response.status == .ok)
            ids = try response.content.decode(PersonDigitPage.self).items.map(\.id)
        }
        return ids
    }

    @Test func aContributorListsAndDeletesTheirOwnDigitsAndNoOneElses() async throws {
        try await withApp({ $0.retraining.every = 1_000 }) { app in
            let (alice, first) = try await store(on: app)
            let (_, second) = try await store(as: alice, on: app)
            let (bob, bobs) = try await store(on: app)
            #expect(Set(try await mine(alice, on: app)) == [first, second])
            #expect(try await mine(nil, on: app).isEmpty, "no id, no digits")
            // Bob cannot delete Alice's digit: 404, as for a digit that does not exist.
            try await app.testing().test(.DELETE, "api/my/digits/\(first)", headers: [Contributors.header: bob]) {
                #expect($0.status == .notFound)
            }
            // A forged or altered id is refused.
            let altered = String(alice.dropLast()) + (alice.last == "A" ? "B" : "A")
            for forged in ["not-an-id", altered] {
                try await app.testing().test(.DELETE, "api/my/digits", headers: [Contributors.header: forged]) {
                    #expect($0.status == .badRequest)
                }
            }
            try await app.testing().test(.DELETE, "api/my/digits/\(first)", headers: [Contributors.header: alice]) {
                #expect($0.status == .noContent)
            }
            #expect(try await mine(alice, on: app) == [second])
            try await app.testing().test(.DELETE, "api/my/digits", headers: [Contributors.header: alice]) { response in
                #expect(response.status == .ok)
                let deletion = try response.content.decode(ContributorDeletion.self)
                #expect(deletion.deleted == 1)
            }
            #expect(try await mine(alice, on: app).isEmpty)
            #expect(try await mine(bob, on: app) == [bobs], "Bob's digit is still there")
        }
    }

    /// The next retraining reads people's digits afresh: a deleted digit is not among them.
    @Test func aDeletedDigitIsNotInTheNextRetrainingsData() async throws {
        try await withApp({ $0.retraining.every = 1_000 }) { app in
            let (alice, digit) = try await store(on: app)
            #expect(try await DigitStore.peopleDigits(on: app.db).count == 1)
            try await app.testing().test(.DELETE, "api/my/digits/\(digit)", headers: [Contributors.header: alice]) {
                #expect($0.status == .noContent)
            }
            #expect(try await DigitStore.peopleDigits(on: app.db).isEmpty)
        }
    }

    /// A page on another site cannot make a visitor's browser delete their digits.
    @Test func aDeletionFromAnotherSitesPageIsRefused() async throws {
        try await withApp { app in
            let (alice, _) = try await store(on: app)
            let headers: HTTPHeaders = [
                Contributors.header: alice, "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site",
            ]
            try await app.testing().test(.DELETE, "api/my/digits", headers: headers) { #expect($0.status == .forbidden) }
            #expect(try await mine(alice, on: app).count == 1)
        }
    }
}
