import Vapor

/// Runs the server until it is stopped (Ctrl-C or SIGTERM): what `digits serve` calls.
public func runServer(settings: ServerSettings, mnist: MNISTSupply) async throws {
    var environment = Environment(name: "production", arguments: ["digits"])
    try LoggingSystem.bootstrap(from: &environment)
    let app = try await Application.make(environment)
    // Start-up progress (the import, the first training) is logged at info level, which
    // production hides by default; LOG_LEVEL still chooses when set.
    if Environment.get("LOG_LEVEL") == nil { app.logger.logLevel = .info }
    do {
        try await configure(app, settings: settings, mnist: mnist)
        try await app.execute()
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}
