import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Vapor

/// Builds the whole server on `app`: database, migrations, MNIST on first start, the live
/// model, middleware and routes. `digits serve` and the tests both call it.
public func configure(_ app: Application, settings: ServerSettings) async throws {
    switch settings.database {
    case .sqlite(let path):
        app.databases.use(.sqlite(path == ":memory:" ? .memory : .file(path)), as: .sqlite)
    case .postgres(let url):
        app.databases.use(try .postgres(url: url), as: .psql)
    }
    app.logger.info("database: \(settings.database)")
    app.migrations.add(CreateDigits())
    app.migrations.add(CreateModelStates())
    app.migrations.add(AddRetrainingColumns())
    app.migrations.add(AddDigitIndexes())
    try await app.autoMigrate()

    app.http.server.configuration.hostname = settings.hostname
    app.http.server.configuration.port = settings.port
    // A 280x280 drawing is a few kilobytes; a phone's full-screen canvas well under 1 MB.
    // A JSON body carries the PNG in base64, a third larger than the PNG itself.
    app.routes.defaultMaxBodySize = ByteCount(integerLiteral: DrawingInput.maxBytes * 3 / 2)
    app.middleware = Middlewares()
    let metrics = ServerMetrics()
    app.middleware.use(RequestMetricsMiddleware(metrics: metrics))
    if !settings.corsOrigins.isEmpty {
        // First, so that error responses carry the CORS headers too.
        app.middleware.use(
            CORSMiddleware(
                configuration: .init(
                    allowedOrigin: settings.corsOrigins == ["*"] ? .all : .any(settings.corsOrigins),
                    allowedMethods: [.GET, .POST, .DELETE, .OPTIONS],
                    allowedHeaders: [.accept, .authorization, .contentType, .origin])))
    }
    app.middleware.use(ErrorMiddleware.default(environment: app.environment))

    try await MNISTImporter.importIfNeeded(from: settings.mnistDirectory, on: app.db, logger: app.logger)
    let live = LiveModel(metrics: metrics)
    try await ModelBootstrap.start(settings: settings, database: app.db, live: live, logger: app.logger)

    let retrainer = Retrainer(settings: settings, database: app.db, live: live, logger: app.logger, metrics: metrics)
    app.lifecycle.use(RetrainingShutdown(retrainer: retrainer))
    app.storage[RetrainerKey.self] = retrainer
    app.storage[LiveModelKey.self] = live
    // Digits stored while the server was down, or a retraining cut short, may be due.
    await retrainer.considerRetraining()

    let admin = AdminGuard(token: adminToken(settings: settings, logger: app.logger))
    try app.register(collection: GuessController(live: live, metrics: metrics))
    try app.register(collection: MetricsController(metrics: metrics))
    try app.register(collection: OpenAPIController())
    try app.register(collection: PageController())
    try app.register(collection: HealthController(live: live))
    try app.register(
        collection: DigitController(
            live: live, retrainer: retrainer, policy: settings.retraining, admin: admin,
            rateLimiter: settings.storesPerMinute.map(RateLimiter.init(perMinute:)), metrics: metrics))
    try app.register(collection: ModelController(live: live, retrainer: retrainer, policy: settings.retraining, admin: admin))
}

/// The configured admin token, or a random one for this run, logged so that whoever started
/// the server can use it.
private func adminToken(settings: ServerSettings, logger: Logger) -> String {
    if let token = settings.adminToken, !token.isEmpty { return token }
    var generator = SystemRandomNumberGenerator()
    let token = (0..<4).map { _ in String(generator.next(), radix: 16) }.joined()
    logger.notice("admin token for this run: \(token) (set DIGITS_ADMIN_TOKEN or --admin-token to choose one)")
    return token
}

/// Where tests find the server's retrainer.
struct RetrainerKey: StorageKey {
    typealias Value = Retrainer
}

/// Where tests find the server's live model.
struct LiveModelKey: StorageKey {
    typealias Value = LiveModel
}
