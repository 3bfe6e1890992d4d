import Foundation

/// Where the server keeps its tables: a SQLite file (the default, no set-up) or a PostgreSQL
/// database, for when one machine is outgrown or several servers share the data.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    /// A SQLite file; `:memory:` for a database that lives as long as the process (tests).
    case sqlite(path: String)
    /// A PostgreSQL connection URL: `postgres://USER:PASSWORD@HOST:PORT/DATABASE`, optionally
    /// with `?tlsmode=disable|prefer|require` (PostgresKit's URL format).
    case postgres(url: String)

    /// Reads what `--database` or `DATABASE_URL` says: a `postgres://` or `postgresql://` URL,
    /// a `sqlite://PATH` URL, or a plain file path.
    public init(parsing text: String) throws(DatabaseLocationError) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            guard let url = URL(string: text), let host = url.host, !host.isEmpty else {
                throw DatabaseLocationError(
                    "\(Self.redacted(text)) is not a PostgreSQL URL: write postgres://USER:PASSWORD@HOST:5432/DATABASE")
            }
            guard url.path.count > 1 else {
                throw DatabaseLocationError(
                    "\(Self.redacted(text)) names no database: end it with /DATABASE, as in postgres://USER:PASSWORD@\(host)/digits")
            }
            self = .postgres(url: text)
        } else if lowered.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw DatabaseLocationError("sqlite:// needs a file path after it, as in sqlite://digits.sqlite") }
            self = .sqlite(path: path)
        } else if text.contains("://") {
            throw DatabaseLocationError(
                "\(Self.redacted(text)) is neither a SQLite file nor a PostgreSQL URL: give a file path, sqlite://PATH or postgres://USER:PASSWORD@HOST/DATABASE"
            )
        } else {
            guard !text.isEmpty else {
                throw DatabaseLocationError("the database path is empty: give a file path, or leave it out for digits.sqlite")
            }
            self = .sqlite(path: text)
        }
    }

    /// For logs and errors: the password, if any, replaced by `***`.
    public var description: String {
        switch self {
        case .sqlite(let path): path == ":memory:" ? "SQLite in memory" : "SQLite file \(path)"
        case .postgres(let url): "PostgreSQL \(Self.redacted(url))"
        }
    }

    /// `url` with the password between `user:` and `@` hidden.
    static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let credentials = url[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return url.replacingCharacters(in: url.index(after: colon)..<at, with: "***")
    }
}

/// A `--database` or `DATABASE_URL` the server cannot use, with what to write instead.
public struct DatabaseLocationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
