import ArgumentParser
import DigitsServer
import Foundation
import MNISTFetching

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Digits server: guess drawings, store verified digits, retrain.",
        discussion: """
            On first start it creates the SQLite database, imports MNIST into it and trains the first \
            model (or takes --model); a restart loads what is stored. Settings also come from the \
            environment: DATABASE_URL, DIGITS_HOSTNAME, DIGITS_PORT, DIGITS_MODEL, MNIST_DIR.
            """
    )

    @Option(help: ArgumentHelp("The SQLite database file (default: DATABASE_URL, else digits.sqlite).", valueName: "path"))
    var database: String?
    @Option(help: "The address to listen on (default: DIGITS_HOSTNAME, else 127.0.0.1).")
    var hostname: String?
    @Option(help: "The port to listen on (default: DIGITS_PORT, else 8080).")
    var port: Int?
    @Option(help: ArgumentHelp("A model file to start with instead of training one (default: DIGITS_MODEL).", valueName: "file"))
    var model: String?
    @OptionGroup var data: DataOptions

    func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerSettings {
        let portText = port.map(String.init) ?? environment["DIGITS_PORT"] ?? "8080"
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw ValidationError("the port must be a number from 1 to 65535, got \(portText)")
        }
        var path = database ?? environment["DATABASE_URL"] ?? "digits.sqlite"
        if path.hasPrefix("sqlite://") { path.removeFirst("sqlite://".count) }
        return ServerSettings(
            databasePath: path, hostname: hostname ?? environment["DIGITS_HOSTNAME"] ?? "127.0.0.1", port: port,
            mnistDirectory: MNISTDirectory.resolve(flag: data.directory, environment: environment),
            modelFile: model ?? environment["DIGITS_MODEL"])
    }

    func run() async throws {
        let settings = try settings()
        do {
            try await runServer(settings: settings)
        } catch {
            throw CommandFailure("the server stopped: \(error)")
        }
    }
}
