import Fluent
import FluentPostgresDriver
import Synchronization
import Vapor

/// What servers on one PostgreSQL database tell each other the moment it happens, through
/// `NOTIFY`; each server's `PeriodicCheck`s still look every second, so a notification lost
/// (a listener reconnecting, SQLite, which has none) costs at most that second.
enum DatabaseEvent: String, CaseIterable, Sendable {
    /// Another version is live: look which.
    case liveVersion = "digits_live_version"
    /// A trainer has work: digits that call for a retraining, or one a web server asked for.
    case work = "digits_work"
}

extension Database {
    /// Tells every server listening on this PostgreSQL database about `event`; inside a
    /// transaction, once it commits. Elsewhere nothing.
    func notify(_ event: DatabaseEvent) async throws {
        guard let sql = self as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("NOTIFY \(unsafeRaw: event.rawValue)").run()
    }
}

/// Listens on a connection of its own for `DatabaseEvent`s and runs each one's handler;
/// reconnects every few seconds while the database is away.
final class DatabaseEventListener: LifecycleHandler, Sendable {
    static let reconnectEvery: Duration = .seconds(5)
    private let configuration: PostgresConnection.Configuration
    private let handlers: [DatabaseEvent: @Sendable () -> Void]
    private let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let connection = Mutex<PostgresConnection?>(nil)

    init(url: String, handlers: [DatabaseEvent: @Sendable () -> Void], logger: Logger) throws {
        configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
        self.handlers = handlers
        self.logger = logger
    }

    func didBoot(_ application: Application) throws {
        task.withLock { $0 = Task { await self.listenUntilCancelled() } }
    }

    func shutdownAsync(_ application: Application) async {
        let running = task.withLock { $0 }
        running?.cancel()
        try? await connection.withLock { $0 }?.close()
        await running?.value
    }

    private func listenUntilCancelled() async {
        var failing = false
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
                self.connection.withLock { $0 = connection }
                if failing { logger.notice("listening for other servers' changes again") }
                failing = false
                defer { Task { try? await connection.close() } }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (event, handler) in handlers {
                        group.addTask {
                            try await connection.listen(on: event.rawValue) { notifications in
                                for try await _ in notifications { handler() }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            } catch {
                if Task.isCancelled { return }
                if !failing {
                    logger.warning(
                        "not listening for other servers' changes (\(String(reflecting: error))); checking every second meanwhile")
                }
                failing = true
            }
            try? await Task.sleep(for: Self.reconnectEvery)
        }
    }
}
