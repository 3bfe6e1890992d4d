import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import Vapor

@testable import DigitsServer

/// `GET /api/model/events` over a real socket, as a page's EventSource reads it.
@Suite(.serialized)
struct ModelEventsTests {
    /// The statuses a stream pushes, one `data:` event at a time.
    final class EventReader {
        private var body: HTTPClientResponse.Body.AsyncIterator
        private var pending = ""

        init(_ response: HTTPClientResponse) {
            body = response.body.makeAsyncIterator()
        }

        func next() async throws -> ModelStatusResponse? {
            while true {
                if let end = pending.range(of: "\n\n") {
                    let event = String(pending[..<end.lowerBound])
                    pending = String(pending[end.upperBound...])
                    guard let data = event.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }) else { continue }
                    let decoder = JSONDecoder()
                    decoder.dateDecodingStrategy = .iso8601
                    return try decoder.decode(ModelStatusResponse.self, from: Data(data.dropFirst(6).utf8))
                }
                guard let chunk = try await body.next() else { return nil }
                pending += String(buffer: chunk)
            }
        }
    }

    /// A client that holds as many streams open as a test asks for.
    let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: .init(connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)))

    func open(_ port: Int) async throws -> HTTPClientResponse {
        try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/model/events"), timeout: .seconds(30))
    }

    /// Ends the streams first, as a stopping server does, then stops listening.
    func stop(_ app: Application) async throws {
        try #require(app.storage[ModelEvents.Key.self]).finishAll()
        await app.server.shutdown()
        try await client.shutdown()
    }

    func serve(_ app: Application) async throws -> Int {
        app.http.server.configuration.port = 0
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        return try #require(app.http.server.shared.localAddress?.port)
    }

    @Test func pushesTheStatusOnConnectingAndAgainWhenARetrainingChangesIt() async throws {
        try await withApp({ $0.training.epochs = 1_000 }) { app in
            let port = try await serve(app)
            let response = try await open(port)
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "Content-Type")?.hasPrefix("text/event-stream") == true)
            let events = EventReader(response)
            let first = try #require(try await events.next())
            #expect(first.live.version == 1 && first.training == nil)
            #expect(try await model(of: app).retrainer.retrainNow() == 2)
            // Then the retraining's progress, and the new version when it is live.
            var seen: [ModelStatusResponse] = []
            while let status = try await events.next() {
                seen.append(status)
                if status.live.version == 2, status.training == nil { break }
            }
            #expect(seen.contains { $0.training?.version == 2 })
            #expect(seen.last?.live.version == 2)
            try await stop(app)
        }
    }

    @Test func oneClientMayOpenOnlySoManyStreams() async throws {
        try await withApp { app in
            let port = try await serve(app)
            var open: [HTTPClientResponse] = []
            for _ in 0..<ModelEvents.maxStreamsPerClient { open.append(try await self.open(port)) }
            #expect(open.allSatisfy { $0.status == .ok })
            let refused = try await self.open(port)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers.first(name: "Retry-After") == "5")
            try await stop(app)
        }
    }
}
