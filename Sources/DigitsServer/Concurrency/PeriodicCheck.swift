import Synchronization
import Vapor

/// Runs `check` every `interval` from the server's boot to its shutdown, and at once when
/// `wake` is called (a database notification, say); a failing check is logged once per outage,
/// not once a second, and tried again at the next turn.
final class PeriodicCheck: LifecycleHandler, Sendable {
    private let interval: Duration
    private let logger: Logger
    private let failure: String
    private let check: @Sendable () async throws -> Void
    private let turns: AsyncStream<Void>
    private let nextTurn: AsyncStream<Void>.Continuation
    private let tasks = Mutex<[Task<Void, Never>]>([])

    init(every interval: Duration, logger: Logger, failure: String, check: @escaping @Sendable () async throws -> Void) {
        self.interval = interval
        self.logger = logger
        self.failure = failure
        self.check = check
        // One waiting turn is enough: checks that pile up while one runs would find the same.
        (turns, nextTurn) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Runs the check as soon as the one running (if any) ends.
    func wake() {
        nextTurn.yield()
    }

    func didBoot(_ application: Application) throws {
        let (turns, nextTurn, interval, check, logger, failure) = (turns, nextTurn, interval, check, logger, failure)
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                nextTurn.yield()
            }
        }
        let checker = Task {
            var failing = false
            for await _ in turns {
                do {
                    try await check()
                    failing = false
                } catch {
                    if !failing { logger.warning("\(failure) (tries again): \(error)") }
                    failing = true
                }
            }
        }
        tasks.withLock { $0 = [ticker, checker] }
    }

    func shutdownAsync(_ application: Application) async {
        nextTurn.finish()
        let running = tasks.withLock { $0 }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }
}
