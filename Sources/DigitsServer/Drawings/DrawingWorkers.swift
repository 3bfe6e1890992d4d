import DigitImaging
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Vapor

/// Where drawings too large to read on an event loop are read: a few threads of their own,
/// at a lower priority, with a bounded share of them for each client.
///
/// A 280x280 drawing takes a fraction of a millisecond to decode and normalise, so it is read
/// on the event loop that received it. The costliest 2048x2048 one takes a few hundred times
/// as long; read on an event loop it would hold up every other request there (scripts/
/// hostile-benchmark, docs/benchmarks.md). Here they take turns on threads at nice 10, which the
/// kernel preempts for the event loops. Each client (address) has at most `perClient`
/// drawings on the threads at once; its others wait, costing nothing, so a client with many
/// connections is slowed to its share instead of being refused quickly and coming straight
/// back. Past `waitingPerClient` waiting, a client is told to slow down (429); past
/// `capacity` drawings held in all, everyone is (503).
final class DrawingWorkers: Sendable {
    /// Drawings with at most this many pixels are read inline: the page's pad at 1x, with
    /// room to spare (320x320).
    static let inlinePixels = 320 * 320

    let perClient: Int
    let waitingPerClient: Int
    let capacity: Int
    private let pool: NIOThreadPool

    private struct Client {
        var running = 0
        var waiting: [@Sendable () -> Void] = []
    }
    private let state = Mutex<(held: Int, clients: [String: Client])>((0, [:]))

    init(threads: Int = max(1, System.coreCount / 2), perClient: Int = 2, waitingPerClient: Int = 16, capacity: Int = 256) {
        self.perClient = perClient
        self.waitingPerClient = waitingPerClient
        self.capacity = capacity
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    func shutDown() async throws {
        try await pool.shutdownGracefully()
    }

    /// Decodes and normalises `png`: inline when it is small, else on the workers in its
    /// client's turn. Bad input and a client over its share fail the future with a 4xx, a
    /// server holding `capacity` drawings with a 503.
    func normalise(_ png: [UInt8], client: String, on eventLoop: any EventLoop) -> EventLoopFuture<NormalisedDigit> {
        let pixels: Int
        do {
            pixels = try PNGPreflight(png).pixels
        } catch {
            return eventLoop.makeFailedFuture(DrawingInput.abort(for: error))
        }
        guard pixels > Self.inlinePixels else {
            return eventLoop.makeCompletedFuture { try DrawingInput.normalise(png) }
        }
        let promise = eventLoop.makePromise(of: NormalisedDigit.self)
        let read: @Sendable () -> Void = { [pool] in
            pool.submit { work in
                if work == .active {
                    Self.lowerPriority()
                    promise.completeWith(Result { try DrawingInput.normalise(png) })
                } else {
                    promise.fail(Abort(.serviceUnavailable, reason: "the server is shutting down"))
                }
                self.finished(client)
            }
        }
        switch admit(client, read) {
        case .run: read()
        case .wait: break
        case .refuse(let refusal): promise.fail(refusal)
        }
        return promise.futureResult
    }

    private enum Admission {
        case run, wait
        case refuse(Abort)
    }

    private func admit(_ client: String, _ read: @escaping @Sendable () -> Void) -> Admission {
        state.withLock { state in
            var mine = state.clients[client, default: Client()]
            if state.held >= capacity {
                return .refuse(
                    Abort(
                        .serviceUnavailable, headers: ["Retry-After": "1"],
                        reason:
                            "the server holds \(state.held) large drawings to read; try again in a second, or send a smaller one (up to 320x320 pixels are read at once)"
                    ))
            }
            let admission: Admission
            if mine.running < perClient {
                mine.running += 1
                admission = .run
            } else if mine.waiting.count < waitingPerClient {
                mine.waiting.append(read)
                admission = .wait
            } else {
                return .refuse(
                    Abort(
                        .tooManyRequests, headers: ["Retry-After": "1"],
                        reason:
                            "this address has \(mine.running + mine.waiting.count) large drawings waiting to be read; send them one at a time, or smaller ones (up to 320x320 pixels are read at once)"
                    ))
            }
            state.held += 1
            state.clients[client] = mine
            return admission
        }
    }

    /// One of `client`'s drawings is read: its next waiting one takes the place.
    private func finished(_ client: String) {
        let next: (@Sendable () -> Void)? = state.withLock { state in
            state.held -= 1
            guard var mine = state.clients[client] else { return nil }
            if mine.waiting.isEmpty {
                mine.running -= 1
                state.clients[client] = mine.running > 0 ? mine : nil
                return nil
            }
            let next = mine.waiting.removeFirst()
            state.clients[client] = mine
            return next
        }
        next?()
    }

    /// Nice 10 for the calling thread; cheap enough to repeat for each drawing, which keeps
    /// it true whichever pool thread runs it.
    private static func lowerPriority() {
        Platform.lowerThisThreadsPriority()
    }
}
