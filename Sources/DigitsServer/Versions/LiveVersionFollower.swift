import Foundation
import Synchronization
import Vapor

/// Every `interval`, brings this server's live model in line with the database, so that a
/// version another server on the same database promotes or rolls back to answers here too
/// within about that long (on SQLite, other processes on the same file alike).
final class LiveVersionFollower: LifecycleHandler, Sendable {
    static let interval: Duration = .seconds(1)
    let versions: ModelVersions
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(versions: ModelVersions) {
        self.versions = versions
    }

    func didBoot(_ application: Application) throws {
        let (versions, logger) = (versions, application.logger)
        task.withLock {
            $0 = Task {
                var failing = false
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.interval)
                    guard !Task.isCancelled else { return }
                    do {
                        if let version = try await versions.followDatabase() {
                            logger.notice("version \(version) is live: made live by another server")
                        }
                        failing = false
                    } catch {
                        // Once per outage, not once a second.
                        if !failing { logger.warning("could not check which version is live (tries again every second): \(error)") }
                        failing = true
                    }
                }
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        let running = task.withLock { $0 }
        running?.cancel()
        await running?.value
    }
}
