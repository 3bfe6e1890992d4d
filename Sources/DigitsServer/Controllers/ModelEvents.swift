import Foundation
import NIOCore
import Synchronization
import Vapor

/// `GET /api/model/events`: the model's status (what `GET /api/model` answers) pushed to open
/// pages as Server-Sent Events, instead of each page polling for it.
///
/// One check a second per server reads the status once, for every open page together, and
/// sends it only to the pages when it changed (a new version, a retraining's progress, digits
/// until the next); a comment every 15 s keeps idle connections open through proxies. A page
/// whose browser has no `EventSource`, or whose stream fails, polls `GET /api/model` instead.
/// Streams are bounded: `maxStreams` per server and `maxStreamsPerClient` per client (429).
final class ModelEvents: RouteCollection, Sendable {
    static let maxStreams = 20_000
    static let maxStreamsPerClient = 16
    static let keepAliveEvery: Duration = .seconds(15)

    private struct Subscriber {
        let client: String
        let events: AsyncStream<String>.Continuation
    }

    private struct State {
        var subscribers: [UUID: Subscriber] = [:]
        var perClient: [String: Int] = [:]
        /// The last status sent, as its JSON.
        var latest: String?
    }

    private let state = Mutex(State())

    struct Key: StorageKey {
        typealias Value = ModelEvents
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("api", "model", "events", use: events)
    }

    var hasSubscribers: Bool { state.withLock { !$0.subscribers.isEmpty } }
    var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Sends `status` to every open stream, if it differs from what they were last sent.
    func publish(_ status: ModelStatusResponse) {
        guard let json = try? String(decoding: Self.encoder.encode(status), as: UTF8.self) else { return }
        state.withLock { state in
            guard json != state.latest else { return }
            state.latest = json
            for subscriber in state.subscribers.values { subscriber.events.yield(json) }
        }
    }

    @Sendable func events(request: Request) async throws -> Response {
        let client = request.clientAddress
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
        let latest = try state.withLock { state -> String? in
            guard state.subscribers.count < Self.maxStreams else {
                throw Abort(
                    .serviceUnavailable, headers: ["Retry-After": "5"],
                    reason: "this server has \(Self.maxStreams) open status streams; poll GET /api/model instead")
            }
            guard state.perClient[client, default: 0] < Self.maxStreamsPerClient else {
                throw Abort(
                    .tooManyRequests, headers: ["Retry-After": "5"],
                    reason: "this address has \(Self.maxStreamsPerClient) status streams open already; close one, or poll GET /api/model")
            }
            state.subscribers[id] = Subscriber(client: client, events: continuation)
            state.perClient[client, default: 0] += 1
            return state.latest
        }
        if let latest { continuation.yield(latest) }
        let response = Response(status: .ok)
        response.headers.contentType = HTTPMediaType(type: "text", subType: "event-stream", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        // nginx: pass each event on at once.
        response.headers.replaceOrAdd(name: "X-Accel-Buffering", value: "no")
        response.body = Response.Body(managedAsyncStream: { [weak self] writer in
            defer { self?.unsubscribe(id, client: client) }
            // Reconnect after 2 s if the connection drops; then the latest status, then each change.
            try await writer.write(.buffer(ByteBuffer(string: "retry: 2000\n\n")))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await json in stream { try await writer.write(.buffer(ByteBuffer(string: "data: \(json)\n\n"))) }
                }
                group.addTask {
                    while true {
                        try await Task.sleep(for: Self.keepAliveEvery)
                        try await writer.write(.buffer(ByteBuffer(string: ": still here\n\n")))
                    }
                }
                // Either ends only when a write fails (the page went away) or the server stops.
                _ = try await group.next()
                group.cancelAll()
            }
        })
        return response
    }

    /// Ends every stream (the server is stopping: Vapor would wait up to 10 s for them).
    func finishAll() {
        state.withLock { state in
            for subscriber in state.subscribers.values { subscriber.events.finish() }
        }
    }

    private func unsubscribe(_ id: UUID, client: String) {
        state.withLock { state in
            state.subscribers.removeValue(forKey: id)?.events.finish()
            let left = state.perClient[client, default: 1] - 1
            state.perClient[client] = left > 0 ? left : nil
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
}
