import Fluent
import Foundation
import Vapor

/// `digits export` and `digits import`: people's digits out of a server's database and into
/// one, directly (the server may be running; its next retraining learns from what came in).
public enum DigitExchange {
    /// What an import stored.
    public struct Imported: Sendable {
        public let training: Int
        public let heldOut: Int
        /// The contributor they were stored under: `DELETE /api/contributors/ID/digits` undoes it.
        public let contributor: String
    }

    /// Writes people's digits from `database` to the file at `path`, or to standard output for "-".
    public static func export(_ format: ExportFormat, from database: DatabaseLocation, to path: String) async throws {
        try await withDatabase(database, mustExist: true) { db in
            let output: FileHandle
            if path == "-" {
                output = FileHandle.standardOutput
            } else {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw ExchangeError("cannot write \(path): does its folder exist, and may you write there?")
                }
                guard let handle = FileHandle(forWritingAtPath: path) else { throw ExchangeError("cannot open \(path) to write") }
                output = handle
            }
            defer { if path != "-" { try? output.close() } }
            try await PeopleDigitsExport.write(format, from: db) { try output.write(contentsOf: $0) }
        }
    }

    /// Reads the digits in `path` (see `PeopleDigitsImport`) and stores them in `database` as
    /// people's digits, all or none.
    public static func importDigits(from path: String, into database: DatabaseLocation) async throws -> Imported {
        let digits = try PeopleDigitsImport.read(path)
        guard !digits.isEmpty else { throw ExchangeError("\(path) holds no digits") }
        return try await withDatabase(database, mustExist: false) { db in
            let contributor = PeopleDigitsImport.newContributor()
            let stored = try await PeopleDigitsImport.store(digits, contributor: contributor, on: db)
            return Imported(training: stored.training, heldOut: stored.heldOut, contributor: contributor)
        }
    }

    /// Runs `body` on the database at `location`, migrated as a server migrates it.
    private static func withDatabase<T: Sendable>(
        _ location: DatabaseLocation, mustExist: Bool, _ body: @Sendable (any Database) async throws -> T
    ) async throws -> T {
        if mustExist, case .sqlite(let path) = location, path != ":memory:", !FileManager.default.fileExists(atPath: path) {
            throw ExchangeError("there is no database at \(path); name the server's with --database (or DATABASE_URL)")
        }
        let app = try await Application.make(Environment(name: "production", arguments: ["digits"]))
        app.logger.logLevel = .warning
        do {
            try await useDatabase(location, on: app)
            let result = try await body(app.db)
            try await app.asyncShutdown()
            return result
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }
}
