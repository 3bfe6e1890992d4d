import FluentPostgresDriver
import NIOCore
import Vapor

/// A database that goes away for a moment (PostgreSQL restarting, a connection cut, no
/// connection free in time) answers 503 with `Retry-After`, not a 500: the request wrote
/// nothing it acknowledged, and the same request a second later may well succeed.
///
/// Future-based rather than async, like the other middleware: an async one would move every
/// request, guesses included, onto Swift concurrency's threads and back.
struct DatabaseUnavailable: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapErrorThrowing { error in
            guard DatabaseErrors.isMomentary(error) else { throw error }
            request.logger.warning("the database is not answering (\(DatabaseErrors.explain(error))): answered 503")
            throw Abort(
                .serviceUnavailable, headers: ["Retry-After": "1"],
                reason: "the database is not answering for a moment; nothing was stored by this request. Try again in a second")
        }
    }
}

extension DatabaseErrors {
    /// Whether `error` says the database is unreachable for now rather than that the request
    /// or the data is wrong: a connection refused, closed or cut, no connection free in time,
    /// or PostgreSQL shutting down or starting (SQLSTATE classes 08 and 57P).
    static func isMomentary(_ error: any Error) -> Bool {
        switch error {
        case let error as PSQLError:
            switch error.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown: return true
            case .server:
                let state = error.serverInfo?[.sqlState] ?? ""
                return state.hasPrefix("08") || state.hasPrefix("57P")
            default: return false
            }
        case is ConnectionPoolTimeoutError, is ConnectionPoolError, is DatabaseStalled: return true
        case ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed, ChannelError.eof: return true
        case is IOError: return true
        default: return false
        }
    }
}
