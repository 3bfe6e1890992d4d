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
}
