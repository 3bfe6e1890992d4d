import ArgumentParser
import DigitsServer
import Foundation

extension ExportFormat: ExpressibleByArgument {}

/// The database option `export` and `import` share with `serve`.
struct DatabaseOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The server's database: a SQLite file or a PostgreSQL URL (default: DATABASE_URL, else digits.sqlite).",
            valueName: "path-or-url"))
    var database: String?

    func location(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DatabaseLocation {
        do {
            return try DatabaseLocation(parsing: database ?? environment["DATABASE_URL"] ?? "digits.sqlite")
        } catch {
            throw ValidationError(error.description)
        }
    }
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write people's digits, with their labels and sets, to a file.",
        discussion: """
            idx: MNIST's four files, gzip'd, in a tar (train-* the training set, t10k-* the held-out digits); every MNIST \
            loader reads them. csv: label,pixel0,…,pixel783,set, one digit a line. The server may be running.
            """
    )

    @Option(help: "idx or csv.")
    var format: ExportFormat = .idx
    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write it; - for standard output.", valueName: "file"))
    var output: String
    @OptionGroup var database: DatabaseOption

    func run() async throws {
        do {
            try await DigitExchange.export(format, from: database.location(), to: output)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandFailure("could not export: \(DatabaseErrors.explain(error))")
        }
        if output != "-" { FileHandle.standardError.write(Data("people's digits written to \(output)\n".utf8)) }
    }
}

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Store digits from files as people's digits: the next retraining learns from them.",
        discussion: """
            Reads what digits export writes (the tar, or the CSV), a folder of IDX files in MNIST's names, a Kaggle-style CSV, \
            or a folder of PNG drawings labelled by their folder (7/a.png) or name (7_a.png). The server may be running. All the \
            digits are stored under one contributor, named in the output: an admin can delete the import in one call.
            """
    )

    @Argument(help: ArgumentHelp("A .tar or .csv file, or a folder of IDX files or of PNGs.", valueName: "path"))
    var path: String
    @OptionGroup var database: DatabaseOption

    func run() async throws {
        let imported: DigitExchange.Imported
        do {
            imported = try await DigitExchange.importDigits(from: path, into: database.location())
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandFailure("could not import \(path): \(DatabaseErrors.explain(error))")
        }
        print(
            "imported \(imported.training + imported.heldOut) digits (\(imported.training) training, \(imported.heldOut) held out) as contributor \(imported.contributor)"
        )
    }
}
