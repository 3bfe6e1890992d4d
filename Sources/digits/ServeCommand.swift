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
            model (or takes --model); a restart loads what is stored. Settings also come from the \
            environment: DATABASE_URL, DIGITS_HOSTNAME, DIGITS_PORT, DIGITS_MODEL, MNIST_DIR, \
            DIGITS_ADMIN_TOKEN, DIGITS_ADMIN_TOKEN_FILE, DIGITS_RETRAIN_EVERY, DIGITS_STORES_PER_MINUTE, DIGITS_CORS_ORIGINS and \
            DIGITS_TRUSTED_PROXIES (comma-separated), DIGITS_ROLE, DIGITS_TRAINING_LEASE, DIGITS_HIDDEN, DIGITS_DESKEW, DIGITS_CORROBORATIONS, DIGITS_EXPORT.

            Several servers can share one PostgreSQL database: run any number with --role web behind a reverse proxy and one or \
            more with --role trainer (README: Deployment).
            """
    )

    @Option(
        help: ArgumentHelp(
            "A SQLite file, or a PostgreSQL URL postgres://USER:PASSWORD@HOST:5432/DATABASE (default: DATABASE_URL, else digits.sqlite).",
            valueName: "path-or-url"))
    var database: String?
    @Option(help: "The address to listen on (default: DIGITS_HOSTNAME, else 127.0.0.1).")
    var hostname: String?
    @Option(help: "The port to listen on (default: DIGITS_PORT, else 8080).")
    var port: Int?
    @Option(help: ArgumentHelp("A model file to start with instead of training one (default: DIGITS_MODEL).", valueName: "file"))
    var model: String?
    @Option(
        help: ArgumentHelp(
            "The token admin actions need (default: DIGITS_ADMIN_TOKEN, else the one in --admin-token-file). Prefer the environment: flags show in ps.",
            valueName: "token"))
    var adminToken: String?
    @Option(
        help: ArgumentHelp(
            "Without a configured token, the file that keeps a random one, readable by this user only (default: DIGITS_ADMIN_TOKEN_FILE, else digits-admin-token).",
            valueName: "file"))
    var adminTokenFile: String?
    @Option(help: "Retrain after this many new verified digits (default: DIGITS_RETRAIN_EVERY, else 10).")
    var retrainEvery: Int?
    @Option(help: "How many digits one client may store per minute, 0 for no limit (default: DIGITS_STORES_PER_MINUTE, else 60).")
    var storesPerMinute: Int?
    @Option(help: ArgumentHelp("An origin allowed to call the API from a browser (CORS); repeat for more, * for any.", valueName: "origin"))
    var corsOrigin: [String] = []
    @Option(
        help: ArgumentHelp(
            "all: answer requests and train (one process is all of Digits); web: answer requests, never train; trainer: train and promote for the web servers on the same database (default: DIGITS_ROLE, else all).",
            valueName: "all|web|trainer"))
    var role: String?
    @Option(
        help: ArgumentHelp(
            "Seconds a trainer's claim on a retraining lasts unless renewed: how long a killed trainer holds up the work before another takes it over (default: DIGITS_TRAINING_LEASE, else 10).",
            valueName: "seconds"))
    var trainingLease: Int?
    @Option(
        help: ArgumentHelp(
            "A reverse proxy (address, or network as 10.0.0.0/8) whose X-Forwarded-For / Forwarded headers name the client; repeat for more. From anyone else those headers are ignored.",
            valueName: "address"))
    var trustedProxy: [String] = []
    @Option(
        help: ArgumentHelp(
            "Neurons in the hidden layer of the networks the server trains; repeat for more layers (default: DIGITS_HIDDEN, comma-separated, else one layer of 30, the book's). A live model of another shape is replaced by a retraining from scratch.",
            valueName: "neurons"))
    var hidden: [Int] = []
    @Flag(
        inversion: .prefixedNo,
        help: "Deskew every digit before the network reads it (default: on; DIGITS_DESKEW=0 turns it off).")
    var deskew: Bool?
    @Option(
        help: ArgumentHelp(
            "A label that contradicts the model's guess is learned once people on this many other addresses made the same correction; 0 learns every correction at once, for a server only trusted people use (default: DIGITS_CORROBORATIONS, else 3).",
            valueName: "addresses"))
    var corroborations: Int?
    @Option(
        help: ArgumentHelp(
            "Who may export people's digits (GET /api/digits/export): admin (with the token) or anyone (default: DIGITS_EXPORT, else admin).",
            valueName: "admin|anyone"))
    var export: String?
    @OptionGroup var data: DataOptions

    func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerSettings {
        let port = try Self.number(
            port, environment["DIGITS_PORT"], default: 8080, allowed: 1...65535
        ) { "the port must be a number from 1 to 65535, got \($0)" }
        let location: DatabaseLocation
        do {
            location = try DatabaseLocation(parsing: database ?? environment["DATABASE_URL"] ?? "digits.sqlite")
        } catch {
            throw ValidationError(error.description)
        }
        let every = try Self.number(retrainEvery, environment["DIGITS_RETRAIN_EVERY"], default: 10, allowed: 1...) {
            "retraining needs at least 1 new digit (--retrain-every), got \($0)"
        }
        let limit = try Self.number(storesPerMinute, environment["DIGITS_STORES_PER_MINUTE"], default: 60, allowed: 0...) {
            "--stores-per-minute must be 0 (no limit) or more, got \($0)"
        }
        let origins = corsOrigin.isEmpty ? Self.list(environment["DIGITS_CORS_ORIGINS"]) : corsOrigin
        let roleText = role ?? environment["DIGITS_ROLE"] ?? "all"
        guard let serverRole = ServerRole(rawValue: roleText) else {
            throw ValidationError("--role must be all, web or trainer, got \(roleText)")
        }
        let lease = try Self.number(trainingLease, environment["DIGITS_TRAINING_LEASE"], default: 10, allowed: 1...3600) {
            "--training-lease must be a number of seconds from 1 to 3600, got \($0)"
        }
        let proxies = trustedProxy.isEmpty ? Self.list(environment["DIGITS_TRUSTED_PROXIES"]) : trustedProxy
        for proxy in proxies where !TrustedProxies.isValid(proxy) {
            throw ValidationError("--trusted-proxy takes an IP address or a network such as 10.0.0.0/8 or fd00::/8, got \(proxy)")
        }
        let hiddenLayers =
            try hidden.isEmpty
            ? Self.list(environment["DIGITS_HIDDEN"]).map { text in
                guard let neurons = Int(text) else {
                    throw ValidationError("DIGITS_HIDDEN takes numbers of neurons such as 30 or 100,30, got \(text)")
                }
                return neurons
            } : hidden
        if let bad = hiddenLayers.first(where: { !(1...4096).contains($0) }) {
            throw ValidationError("--hidden must be between 1 and 4096 neurons, got \(bad)")
        }
        let corroborating = try Self.number(corroborations, environment["DIGITS_CORROBORATIONS"], default: 3, allowed: 0...1_000) {
            "--corroborations must be a number of addresses from 0 to 1000, got \($0)"
        }
        var policy = RetrainingPolicy(every: every, leaseSeconds: Double(lease))
        policy.learningGuard.corroboratingAddresses = corroborating
        let exporters = export ?? environment["DIGITS_EXPORT"] ?? "admin"
        guard ["admin", "anyone"].contains(exporters) else {
            throw ValidationError("--export must be admin or anyone, got \(exporters)")
        }
        let deskews = deskew ?? (environment["DIGITS_DESKEW"].map { $0 != "0" && $0.lowercased() != "false" } ?? true)
        var settings = ServerSettings(
            database: location, hostname: hostname ?? environment["DIGITS_HOSTNAME"] ?? "127.0.0.1", port: port,
            modelFile: model ?? environment["DIGITS_MODEL"], networkSizes: [784] + (hiddenLayers.isEmpty ? [30] : hiddenLayers) + [10],
            input: deskews ? .deskewed : .centred, retraining: policy,
            adminToken: adminToken ?? environment["DIGITS_ADMIN_TOKEN"],
            adminTokenFile: adminTokenFile ?? environment["DIGITS_ADMIN_TOKEN_FILE"] ?? "digits-admin-token",
            storesPerMinute: limit == 0 ? nil : limit,
            corsOrigins: origins, role: serverRole, trustedProxies: proxies)
        settings.exportsOpenToAnyone = exporters == "anyone"
        return settings
    }

    /// A comma-separated list from the environment, blanks dropped.
    static func list(_ variable: String?) -> [String] {
        (variable ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A whole-number setting: the flag, else the environment variable, else the default;
    /// `problem` words the error for a value that is not a number in `allowed`.
    static func number(
        _ flag: Int?, _ variable: String?, default fallback: Int, allowed: some RangeExpression<Int>, problem: (String) -> String
    ) throws -> Int {
        let text = flag.map(String.init) ?? variable ?? String(fallback)
        guard let value = Int(text), allowed.contains(value) else { throw ValidationError(problem(text)) }
        return value
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
