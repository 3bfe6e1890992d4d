import Fluent
import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

@Suite(.serialized)
struct MetricsTests {
    @Test func countsRequestsGuessesAndTheLiveVersion() async throws {
        try await withApp { app in
            var digit = -1
            try await app.testing().test(.POST, "api/guess", headers: ["Content-Type": "image/png"], body: ByteBuffer(bytes: sevenPNG())) {
                response in
                digit = try response.content.decode(GuessResponse.self).digit
            }
            try await app.testing().test(.POST, "api/guess", headers: ["Content-Type": "text/plain"], body: ByteBuffer(string: "7")) {
                #expect($0.status == .unsupportedMediaType)
            }
            try await app.testing().test(.GET, "no/such/page") { #expect($0.status == .notFound) }
            _ = try await storeSeven(on: app)
            try await app.testing().test(.GET, "metrics") { response in
                #expect(response.status == .ok)
                #expect(response.headers.contentType?.type == "text")
                let text = response.body.string
                // Digits' own, counted by this server alone.
                for line in [
                    #"digits_guesses_total{digit="\#(digit)"} 1"#,
                    #"digits_stored_total{set="training"} 1"#,
                    "digits_live_model_version 1",
                    "digits_retraining_running 0",
                ] {
                    #expect(text.contains(line), "\(line)")
                }
                // Vapor's, counted for the whole process (other tests' servers too), by route pattern.
                for prefix in [
                    #"http_requests_total{method="POST",path="/api/guess",status="200"} "#,
                    #"http_requests_total{method="POST",path="/api/guess",status="415"} "#,
                    #"http_requests_total{method="undefined",path="vapor_route_undefined",status="404"} "#,
                    #"http_requests_total{method="POST",path="/api/digits",status="201"} "#,
                    #"http_request_duration_seconds_bucket{method="POST",path="/api/guess",status="200",le="0.0005"} "#,
                ] {
                    #expect(text.contains(prefix), "\(prefix)")
                }
                #expect(!text.contains("no/such/page"))
            }
        }
    }

    /// Every end of a retraining is counted, also one that never reached a trainer: a web
    /// server queues it and an admin cancels it there.
    @Test func aRetrainingCancelledBeforeATrainerTookItIsCounted() async throws {
        try await withApp({ $0.role = .web }) { app in
            try await app.testing().test(.POST, "api/model/retrain", headers: adminHeaders) { #expect($0.status == .accepted) }
            try await app.testing().test(.DELETE, "api/model/training", headers: adminHeaders) { #expect($0.status == .ok) }
            let row = try #require(try await ModelVersionRecord.query(on: app.db).filter(\.$version == 2).first())
            #expect(row.outcome == .cancelled && row.reason == "cancelled before a trainer took it")
            try await app.testing().test(.GET, "metrics") { response in
                #expect(response.body.string.contains(#"digits_retrainings_total{outcome="cancelled"} 1"#))
            }
        }
    }
}
