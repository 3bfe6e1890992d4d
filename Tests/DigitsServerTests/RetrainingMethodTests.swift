import Fluent
import Foundation
import NIOCore
import NeuralNetwork
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

@Suite(.serialized)
struct RetrainingMethodTests {
    @Test func digitsFineTuneTheLiveNetworkAndRetrainNowStartsFromScratch() async throws {
        try await withApp { app in
            for _ in 0..<10 { _ = try await storeSeven(on: app) }
            let retrainer = try model(of: app).retrainer
            try await retrainer.waitUntilIdle()
            _ = try await retrainer.retrainNow()
            try await retrainer.waitUntilIdle()
            let versions = try await ModelVersionRecord.query(on: app.db).sort(\.$version).all()
            let methods = try versions.dropFirst().map { try Hyperparameters(json: $0.hyperparameters).method }
            #expect(methods == ["fine-tune", "from scratch"])
            let jitters = try versions.dropFirst().map { try Hyperparameters(json: $0.hyperparameters).repeatJitter }
            #expect(jitters == Array(repeating: RetrainingPolicy().repeatJitter.summary, count: 2))
            #expect(versions.dropFirst().allSatisfy { $0.peopleHeldOut != nil })
            let live = try #require(model(of: app).live.current()?.network)
            #expect(live.input == ServerSettings.testing().input)
        }
    }

    @Test func aLiveNetworkOfAnotherShapeIsReplacedFromScratch() async throws {
        try await withApp({ $0.networkSizes = [784, 12, 10] }) { app in
            #expect(try model(of: app).live.current()?.network.sizes == [784, 20, 10], "the template's first model")
            for _ in 0..<10 { _ = try await storeSeven(on: app) }
            try await model(of: app).retrainer.waitUntilIdle()
            let second = try #require(try await ModelVersionRecord.query(on: app.db).filter(\.$version == 2).first())
            #expect(try Hyperparameters(json: second.hyperparameters).method == "from scratch")
            #expect(try Hyperparameters(json: second.hyperparameters).sizes == [784, 12, 10])
        }
    }
}
