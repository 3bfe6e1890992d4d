import Testing

@testable import DigitsServer

/// What `--database` and `DATABASE_URL` accept.
@Suite struct DatabaseLocationTests {
    @Test(arguments: [
        ("digits.sqlite", DatabaseLocation.sqlite(path: "digits.sqlite")),
        ("/var/lib/digits/db.sqlite", .sqlite(path: "/var/lib/digits/db.sqlite")),
        ("sqlite:///tmp/d.sqlite", .sqlite(path: "/tmp/d.sqlite")),
        ("postgres://digits:pw@db.local:5432/digits", .postgres(url: "postgres://digits:pw@db.local:5432/digits")),
        ("postgresql://digits@127.0.0.1/digits?tlsmode=disable", .postgres(url: "postgresql://digits@127.0.0.1/digits?tlsmode=disable")),
    ])
    func readsPathsAndURLs(text: String, expected: DatabaseLocation) throws {
        #expect(try DatabaseLocation(parsing: text) == expected)
    }

    @Test(arguments: [
        ("", "the database path is empty"),
        ("sqlite://", "needs a file path"),
        ("mysql://db/digits", "neither a SQLite file nor a PostgreSQL URL"),
        ("postgres://user:secret@db", "names no database"),
        ("postgres:///digits", "is not a PostgreSQL URL"),
    ])
    func refusesWhatItCannotUseAndSaysWhy(text: String, message: String) {
        #expect { try DatabaseLocation(parsing: text) } throws: { error in
            let description = "\(error)"
            return description.contains(message) && !description.contains("secret")
        }
    }

    @Test func logsNoPassword() {
        #expect(
            DatabaseLocation.postgres(url: "postgres://digits:secret@db/digits").description == "PostgreSQL postgres://digits:***@db/digits"
        )
        #expect(DatabaseLocation.sqlite(path: ":memory:").description == "SQLite in memory")
    }
}
