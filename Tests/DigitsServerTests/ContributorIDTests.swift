import Fluent
import Foundation
import NIOCore
import NeuralNetwork
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

struct ContributorIDTests {
    let contributors = Contributors(secret: "0123456789abcdef")

    @Test func issuedIDsVerifyAndForgedOnesDoNot() {
        let id = contributors.issue()
        #expect(contributors.verified(id) == id)
        #expect(contributors.issue() != id)
        #expect(Contributors(secret: "another database").verified(id) == nil, "another secret's ids are not ours")
        var tampered = Array(id)
        tampered[3] = tampered[3] == "A" ? "B" : "A"
        #expect(contributors.verified(String(tampered)) == nil)
        for bad in ["", ".", "abc", "\(id).x", String(repeating: "a", count: 65), "ü\(id.dropFirst())"] {
            #expect(contributors.verified(bad) == nil, "\(bad)")
        }
    }

    @Test func addressesAreHashedTheSameWayEveryTime() {
        #expect(contributors.hash(address: "203.0.113.7") == contributors.hash(address: "203.0.113.7"))
        #expect(contributors.hash(address: "203.0.113.7") != contributors.hash(address: "203.0.113.8"))
        #expect(!contributors.hash(address: "203.0.113.7").contains("203"))
        #expect(Contributors(secret: "other").hash(address: "203.0.113.7") != contributors.hash(address: "203.0.113.7"))
    }
}
