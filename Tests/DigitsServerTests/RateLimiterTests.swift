import Fluent
import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

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
