import Fluent
import NIOCore
import SQLKit
import Synchronization
import Vapor

/// Moves SQLite's write-ahead log into the database once a second, on the bulk-reads
/// connection, so that no store waits for the fsync a checkpoint does (SQLite would otherwise
/// run one inside whichever commit crossed 1,000 pages of log). PASSIVE: it never waits for a
/// reader or a writer, and what it cannot copy now it copies next time.
final class WALCheckpoints: LifecycleHandler, Sendable {
    /// Checkpoints slower than this are logged.
    static let slowMilliseconds: Int64 = 100
    let database: any Database
    private let task = Mutex<RepeatedTask?>(nil)

    init(database: any Database) {
        self.database = database
    }

    func didBoot(_ application: Application) throws {
        let database = database
        let logger = application.logger
        let loop = application.eventLoopGroup.next()
        let repeated = loop.scheduleRepeatedAsyncTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            guard let sql = database as? any SQLDatabase else { return loop.makeSucceededVoidFuture() }
            let started = NIODeadline.now()
            return sql.raw("PRAGMA wal_checkpoint(PASSIVE)").all().map { rows in
                // A slow checkpoint is the disk's fsync; said, since stores may wait behind it.
                let milliseconds = (NIODeadline.now() - started).nanoseconds / 1_000_000
                guard milliseconds >= Self.slowMilliseconds else { return }
                let pages = rows.first.map { row in
                    ((try? row.decode(column: "log", as: Int.self)) ?? -1, (try? row.decode(column: "checkpointed", as: Int.self)) ?? -1)
                }
                logger.notice(
                    "WAL checkpoint took \(milliseconds) ms (\(pages?.1 ?? -1) of \(pages?.0 ?? -1) log pages copied)")
            }.flatMapErrorThrowing { error in
                logger.warning("WAL checkpoint failed (the next one tries again): \(error)")
            }
        }
        task.withLock { $0 = repeated }
    }

    func shutdown(_ application: Application) {
        task.withLock { $0?.cancel() }
    }
}
