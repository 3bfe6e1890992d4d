import Foundation
import NIOCore
import NeuralNetwork
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

/// What the page needs to show the hidden layer: a guess's hidden activations when asked, and a
/// version's weights, cacheable.
@Suite(.serialized)
struct ExplainTests {
    func guess(_ query: String = "", on app: Application) async throws -> (HTTPStatus, String, GuessResponse?) {
        var result: (HTTPStatus, String, GuessResponse?) = (.ok, "", nil)
        try await app.testing().test(
            .POST, "api/guess\(query)", headers: ["Content-Type": "image/png"], body: ByteBuffer(bytes: sevenPNG())
        ) { response in
            let decoded = response.status == .ok ? try response.content.decode(GuessResponse.self) : nil
            result = (response.status, response.body.string, decoded)
        }
        return result
    }

    @Test func aGuessExplainsItselfOnlyWhenAsked() async throws {
        try await withApp { app in
            let (_, plain, _) = try await guess(on: app)
            #expect(!plain.contains("hidden") && !plain.contains("contributions"), "the plain guess stays as it was")
            let (status, _, explained) = try await guess("?explain=1", on: app)
            #expect(status == .ok)
            let answer = try #require(explained)
            let (network, _) = try model(of: app).live.required()
            #expect(answer.hidden?.map(\.count) == [network.sizes[1]])
            let contributions = try #require(answer.contributions)
            #expect(contributions.count == network.sizes[1])
            // The contributions are the guessed digit's weighted input, less its bias.
            let z = contributions.reduce(0, +) + network.biases[1][answer.digit]
            #expect(abs(1 / (1 + exp(-z)) - answer.activations[answer.digit]) < 1e-4)
            #expect(try await guess("?explain=2", on: app).0 == .badRequest)
            #expect(try await guess("?explain=0", on: app).2?.hidden == nil)
        }
    }

    @Test func aVersionsNetworkIsServedCacheableWithAnETag() async throws {
        try await withApp { app in
            var tag: String?
            try await app.testing().test(.GET, "api/models/1/network") { response in
                #expect(response.status == .ok)
                #expect(response.headers.first(name: .cacheControl)?.hasPrefix("public, max-age=") == true)
                tag = response.headers.first(name: .eTag)
                let (network, _) = try ModelFile.decode(response.body.string)
                #expect(network.sizes == (try model(of: app).live.required().network.sizes))
            }
            let etag = try #require(tag)
            try await app.testing().test(.GET, "api/models/1/network", headers: ["If-None-Match": etag]) {
                #expect($0.status == .notModified)
            }
            try await app.testing().test(.GET, "api/models/999/network") { #expect($0.status == .notFound) }
            try await app.testing().test(.GET, "api/models/0/network") { #expect($0.status == .badRequest) }
        }
    }
}
