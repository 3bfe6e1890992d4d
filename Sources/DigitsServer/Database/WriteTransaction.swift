import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import SQLKit
import Vapor

/// How long a SQLite writer waits for another before it gives up.
let busyTimeoutMilliseconds = 5_000

/// How long a PostgreSQL write transaction may take before it is given up (see
/// `postgresTransaction`): far longer than any of the server's (milliseconds, seconds for an
/// import of people's digits), far shorter than a stuck connection should be held.
let transactionDeadline: Duration = .seconds(30)

extension Database {
    /// A transaction that reads and then writes, safe against a concurrent one.
    ///
    /// SQLite's default transaction takes its write lock only at the first write: two that
    /// both read first then deadlock, and SQLite fails one at once with "database is locked".
    /// `BEGIN IMMEDIATE` takes the write lock up front, so the second waits for the first.
    /// Other databases use their ordinary transaction.
    ///
    /// Within this process writers take turns (`SQLiteWriters`) before they touch SQLite: two
    /// connections that meet at SQLite's lock wait in its busy handler, which sleeps 1, 2, 5,
    /// 10 … 100 ms between tries, which made two clients storing at once wait hundreds of ms.
    /// Another process on the same file still meets the lock: sqlite-nio's busy handler would
    /// retry for ever, so `busy_timeout` replaces it on the connection (set on each transaction,
    /// since the pool gives no hook for a new connection) and such a writer fails after
    /// `busyTimeoutMilliseconds` instead.
    ///
    /// Every write sets the connection's durability too (see `configure`'s `useDatabase`):
    /// `synchronous = NORMAL`, and no checkpoints in the request path (`WALCheckpoints` runs them).
    ///
    /// `lock` serialises transactions that read then write the same thing on PostgreSQL, whose
    /// READ COMMITTED lets two of them read the same count: it takes a transaction-scoped
    /// advisory lock first. SQLite needs none: `BEGIN IMMEDIATE` serialises every writer.
    func writeTransaction<T: Sendable>(
        locking lock: WriteLock? = nil, _ body: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        guard let sql = self as? any SQLDatabase, sql.dialect.name == "sqlite" else {
            return try await postgresTransaction(locking: lock, body)
        }
        do {
            return try await SQLiteWriters.shared.inTurn { try await immediateTransaction(body) }
        } catch let error as SQLiteError where error.reason == .busy || error.reason == .locked {
            throw Abort(
                .serviceUnavailable, headers: ["Retry-After": "1"],
                reason:
                    "the database stayed locked by another process for \(busyTimeoutMilliseconds / 1000) s; nothing was written. Try again")
        }
    }

    /// PostgreSQL's transaction, written here rather than taken from Fluent: when the server
    /// ends a session (a restart), PostgresNIO neither sends nor fails a query queued on the
    /// closing connection, and a transaction that queued one (its next statement, or Fluent's
    /// ROLLBACK) waited for ever, holding the pool's connection: every later request on that
    /// event loop then waited for a connection until it timed out. So a session the server
    /// ended is not sent a ROLLBACK to wait for (it has rolled back already), and a transaction
    /// that takes longer than `transactionDeadline` is given up: its connection is closed, which
    /// the pool replaces, and the request answers 503.
    private func postgresTransaction<T: Sendable>(
        locking lock: WriteLock?, _ body: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            let sql = try connection.sql()
            let close: @Sendable () -> Void = { _ = (connection as? any PostgresDatabase)?.withConnection { $0.close() } }
            return try await waiting(atMost: transactionDeadline, onExpiry: close) {
                try await sql.raw("BEGIN").run()
                do {
                    if let lock { try await sql.raw("SELECT pg_advisory_xact_lock(\(unsafeRaw: String(lock.rawValue)))").run() }
                    let result = try await body(connection)
                    try await sql.raw("COMMIT").run()
                    return result
                } catch {
                    let rollback: EventLoopFuture<Void> = sql.raw("ROLLBACK").run()
                    if !DatabaseErrors.isMomentary(error) { try? await rollback.get() }
                    throw error
                }
            }
        }
    }

    private func immediateTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await withConnection { connection in
            guard let sql = connection as? any SQLDatabase else { return try await body(connection) }
            try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(busyTimeoutMilliseconds))").run()
            try await sql.raw("PRAGMA synchronous = NORMAL").run()
            try await sql.raw("PRAGMA wal_autocheckpoint = 0").run()
            try await sql.raw("BEGIN IMMEDIATE TRANSACTION").run()
            do {
                let result = try await body(connection)
                try await sql.raw("COMMIT TRANSACTION").run()
                return result
            } catch {
                try? await sql.raw("ROLLBACK TRANSACTION").run()
                throw error
            }
        }
    }
}

extension Database {
    /// Runs `body` holding `lock` for this session on PostgreSQL (on one connection, released
    /// at the end or when the connection drops), for work longer than a transaction should be;
    /// elsewhere runs it as it is.
    func holdingSessionLock(_ lock: WriteLock, _ body: @escaping @Sendable () async throws -> Void) async throws {
        guard let sql = self as? any SQLDatabase, sql.dialect.name == "postgresql" else { return try await body() }
        try await withConnection { connection in
            guard let sql = connection as? any SQLDatabase else { return try await body() }
            try await sql.raw("SELECT pg_advisory_lock(\(unsafeRaw: String(lock.rawValue)))").run()
            do {
                try await body()
            } catch {
                _ = try? await sql.raw("SELECT pg_advisory_unlock(\(unsafeRaw: String(lock.rawValue)))").run()
                throw error
            }
            try await sql.raw("SELECT pg_advisory_unlock(\(unsafeRaw: String(lock.rawValue)))").run()
        }
    }
}

/// What a write transaction must hold alone on PostgreSQL: one advisory lock key each.
enum WriteLock: Int64, Sendable {
    /// Which version is live: promotion, rollback, the first model.
    case liveVersion = 0x6469_6769_0001
    /// People's digits' positions, which decide every fifth's held-out place.
    case peoplesDigits = 0x6469_6769_0002
    /// The MNIST import on first start.
    case mnistImport = 0x6469_6769_0003
    /// Training version 1 on first start (a session lock: it lasts seconds).
    case firstModel = 0x6469_6769_0004
    /// Migrating the tables on start-up (a session lock).
    case migrations = 0x6469_6769_0005
    /// Claiming, taking over and renewing a retraining's lease.
    case trainingClaim = 0x6469_6769_0006
}

/// SQLite writers in this process, one at a time, in the order they asked.
actor SQLiteWriters {
    static let shared = SQLiteWriters()
    private var isWriting = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        guard isWriting else {
            isWriting = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { isWriting = false } else { waiting.removeFirst().resume() }
    }

    /// `body` between `acquire` and `release`, whether it returns or throws.
    nonisolated func inTurn<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        do {
            let result = try await body()
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }
}
