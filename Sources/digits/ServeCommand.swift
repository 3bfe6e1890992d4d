import ArgumentParser
import DigitsServer
import Foundation
import MNISTFetching

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Digits server: guess drawings, store verified digits, retrain.",
        discussion: """
            On first start it creates the database (a SQLite file, or tables in PostgreSQL), imports MNIST into it and trains the first \
            model (or takes --model); a restart loads what is stored. Every setting also comes from the environment variable \
            its help names.

            Several servers can share one PostgreSQL database: run any number with --role web behind a reverse proxy and one or \
            more with --role trainer (docs/deployment.md).
            """
    )

    // Each option's flag, environment variable, default, bounds and help are said once, in
    // `ServeSetting`; these declare them to ArgumentParser.
    @Option(help: ServeSetting.database.argumentHelp) var database: String?
    @Option(help: ServeSetting.hostname.argumentHelp) var hostname: String?
    @Option(help: ServeSetting.port.argumentHelp) var port: String?
    @Option(help: ServeSetting.model.argumentHelp) var model: String?
    @Option(help: ServeSetting.adminToken.argumentHelp) var adminToken: String?
    @Option(help: ServeSetting.adminTokenFile.argumentHelp) var adminTokenFile: String?
    @Option(help: ServeSetting.retrainEvery.argumentHelp) var retrainEvery: String?
    @Option(help: ServeSetting.storesPerMinute.argumentHelp) var storesPerMinute: String?
    @Option(help: ServeSetting.role.argumentHelp) var role: String?
    @Option(help: ServeSetting.trainingLease.argumentHelp) var trainingLease: String?
    @Option(help: ServeSetting.hidden.argumentHelp) var hidden: [String] = []
    @Flag(inversion: .prefixedNo, help: ServeSetting.deskew.argumentHelp) var deskew: Bool?
    @Option(help: ServeSetting.corroborations.argumentHelp) var corroborations: String?
    @Option(help: ServeSetting.trustedAfter.argumentHelp) var trustedAfter: String?
    @Option(help: ServeSetting.crowd.argumentHelp) var crowd: String?
    @Option(help: ServeSetting.export.argumentHelp) var export: String?
    @Option(help: ServeSetting.trustedProxy.argumentHelp) var trustedProxy: [String] = []
    @Option(help: ServeSetting.corsOrigin.argumentHelp) var corsOrigin: [String] = []
    @OptionGroup var data: DataOptions

    /// What each setting's flag gave, by flag name.
    var given: [String: [String]] {
        [
            "database": database, "hostname": hostname, "port": port, "model": model, "admin-token": adminToken,
            "admin-token-file": adminTokenFile, "retrain-every": retrainEvery, "stores-per-minute": storesPerMinute, "role": role,
            "training-lease": trainingLease, "corroborations": corroborations, "trusted-after": trustedAfter, "crowd": crowd,
            "export": export,
            "deskew": deskew.map { $0 ? "1" : "0" },
        ].mapValues { $0.map { [$0] } ?? [] }.merging(["hidden": hidden, "trusted-proxy": trustedProxy, "cors-origin": corsOrigin]) {
            $1
        }
    }

    /// Every setting: the flag, else the environment variable, else the default.
    func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerSettings {
        do {
            return try ServeSetting.settings(given: given, environment: environment)
        } catch let error as SettingError {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        let settings = try settings()
        let directory = MNISTDirectory.resolve(flag: data.directory)
        let mnist = MNISTSupply { logger in try MNISTSource.load(directory) { logger.info("\($0)") } }
        do {
            try await runServer(settings: settings, mnist: mnist)
        } catch {
            throw CommandFailure("the server stopped: \(DatabaseErrors.explain(error))")
        }
    }
}

extension ServeSetting {
    /// The help ArgumentParser shows for the flag.
    var argumentHelp: ArgumentHelp { ArgumentHelp(helpText, valueName: valueName.isEmpty ? nil : valueName) }
}
