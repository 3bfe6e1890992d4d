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
        // On SIGTERM or SIGINT the pages' status streams end first: Vapor's stop waits for
        // every open request, up to 10 s, and a stream never ends by itself.
        let events = app.storage[ModelEvents.Key.self]
        let stopping = [SIGTERM, SIGINT].map { code in
            let source = DispatchSource.makeSignalSource(signal: code, queue: .global())
            source.setEventHandler { events?.finishAll() }
            source.resume()
            return source
        }
        defer { stopping.forEach { $0.cancel() } }
        try await app.execute()
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}
