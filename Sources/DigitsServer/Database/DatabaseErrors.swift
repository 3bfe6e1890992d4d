import FluentPostgresDriver

/// Errors from the database in words a person can act on.
///
/// PostgresNIO prints every `PSQLError` as the same placeholder, by design (a message might
/// carry a row's data), so a wrong password and a stopped server would both read "PSQLError –
/// Generic description". Here the server's message and SQLSTATE are read out, with what to do.
public enum DatabaseErrors {
    public static func explain(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo, let message = info[.message] {
            var text = "PostgreSQL says: \(message)"
            let state = info[.sqlState]
            if let state { text += " (SQLSTATE \(state))" }
            switch state {
            case "28P01", "28000": text += ". Check the user and password in the database URL."
            case "3D000": text += ". Create it first (createdb -O USER DATABASE), or correct its name in the URL."
            case "42501": text += ". The URL's user needs to own the database, or be granted CREATE on it."
            default: if let hint = info[.hint] { text += ". \(hint)" }
            }
            return text
        }
        switch error.code {
        case .connectionError:
            return
                "cannot connect to PostgreSQL (\(error.underlying.map { "\($0)" } ?? "no reason given")): is it running, and are the URL's host and port right?"
        case .sslUnsupported:
            return
                "the PostgreSQL server does not offer TLS, which the URL asks for: add ?tlsmode=disable to the URL, or enable TLS on the server"
        case .failedToAddSSLHandler:
            return
                "TLS to PostgreSQL failed (\(error.underlying.map { "\($0)" } ?? "no reason given")); ?tlsmode=disable in the URL turns it off"
        default:
            return String(reflecting: error)
        }
    }
}
