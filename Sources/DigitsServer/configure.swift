import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import SQLKit
import Vapor

/// Builds the whole server on `app`, in three steps that each own one concern: the database
/// and its migrations, the model's life (MNIST on first start, the live version, retraining),
/// then middleware and routes. `digits serve` and the tests both call it; `mnist` says where
/// the first start's MNIST comes from (the command reads the files, tests make a few digits).
public func configure(_ app: Application, settings: ServerSettings, mnist: MNISTSupply) async throws {
    try await useDatabase(settings.database, on: app)
    let model = try await startModel(on: app, settings: settings, mnist: mnist)
    try useRoutes(on: app, settings: settings, model: model)
    // Digits stored while the server was down, or a retraining cut short, may be due.
    await model.retrainer.considerRetraining()
}

/// What the routes need of the model's life.
struct ServerModel: Sendable {
    let versions: ModelVersions
    let retrainer: Retrainer
    let metrics: ServerMetrics
    /// This process's name in the rows it claims and on `/health`: host, port, process, and a
    /// random part, since two servers in one process (tests) share the rest.
    let serverID: String
    let role: ServerRole
    /// Issues and checks contributor ids, and hides addresses.
    let contributors: Contributors
    var live: LiveModel { versions.live }

    static func newServerID(port: Int) -> String {
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(ProcessInfo.processInfo.hostName):\(port)/\(ProcessInfo.processInfo.processIdentifier)-\(random)"
    }
}

/// Registers the database, and for a file a second pool for the retraining's bulk reads, and
/// migrates it.
///
/// SQLite runs in WAL mode: readers never wait for the writer nor it for them, so a retraining
/// reading 70,000 rows no longer holds up stores. `synchronous` is NORMAL: a commit appends to
/// the log without waiting for the disk, and the log is synced at each checkpoint, which
/// `WALCheckpoints` runs once a second off the request path. A digit the server acknowledged
/// survives the process being killed (the kill -9 test); a power cut can lose the last
/// second of them. FULL would sync the log at every commit, and an fsync that now and then
/// takes a few hundred ms would then hold up every store behind it (docs/benchmarks.md).
/// Writers wait for each other at most `busyTimeoutMilliseconds`, then fail with 503.
func useDatabase(_ location: DatabaseLocation, on app: Application) async throws {
    switch location {
    case .sqlite(let path) where path == ":memory:":
        app.databases.use(.sqlite(.memory), as: .sqlite)
    case .sqlite(let path):
        app.databases.use(.sqlite(.file(path)), as: .sqlite)
        app.databases.use(.sqlite(.file(path)), as: .bulkReads, isDefault: false)
        // In turn with this process's other writers: switching the journal needs the file to
        // itself, and a second server starting beside this one would otherwise find it locked.
        if let sql = app.db as? any SQLDatabase {
            try await SQLiteWriters.shared.inTurn {
                try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(busyTimeoutMilliseconds))").run()
                try await sql.raw("PRAGMA journal_mode = WAL").run()
            }
        }
        app.lifecycle.use(WALCheckpoints(database: app.db(.bulkReads)))
    case .postgres(let url):
        app.databases.use(try .postgres(url: url), as: .psql)
        app.databases.use(try .postgres(url: url), as: .bulkReads, isDefault: false)
    }
    app.logger.info("database: \(location)")
    app.migrations.add(CreateDigits())
    app.migrations.add(CreateModelStates())
    app.migrations.add(AddRetrainingColumns())
    app.migrations.add(AddDigitIndexes())
    app.migrations.add(AddIdempotencyKeys())
    app.migrations.add(RenameMisleadingNames())
    app.migrations.add(AddOneLiveIndex())
    app.migrations.add(AddTrainingLeases())
    app.migrations.add(AddRateLimits())
    app.migrations.add(AddContributors())
    app.migrations.add(AddVersionChanges())
    // Servers starting together migrate one at a time, and the later ones find nothing to do.
    try await app.bulkReads.holdingSessionLock(.migrations) {
        try await SQLiteWriters.shared.inTurn { try await app.autoMigrate() }
    }
}

/// MNIST into the database on first start, a live version, and the retrainer beside it.
func startModel(on app: Application, settings: ServerSettings, mnist: MNISTSupply) async throws -> ServerModel {
    try await MNISTImporter.importIfNeeded(from: mnist, on: app.db, logger: app.logger)
    let metrics = ServerMetrics()
    let versions = ModelVersions(database: app.db, live: LiveModel(metrics: metrics), logger: app.logger, metrics: metrics)
    let serverID = ServerModel.newServerID(port: settings.port)
    let mnistSets = MNISTCache(database: app.bulkReads)
    let retrainer = Retrainer(
        settings: settings, database: app.db, bulkReads: app.bulkReads, versions: versions, logger: app.logger, metrics: metrics,
        holder: serverID, mnist: mnistSets)
    try await versions.start(firstModel: FirstModel(settings: settings, mnist: mnistSets), role: settings.role, sessionLocks: app.bulkReads)
    let follower = PeriodicCheck(every: settings.checkEvery, logger: app.logger, failure: "could not check which version is live") {
        if let version = try await versions.followDatabase() {
            app.logger.notice("version \(version) is live: made live by another server")
        }
    }
    app.lifecycle.use(follower)
    var handlers: [DatabaseEvent: @Sendable () -> Void] = [.liveVersion: follower.wake]
    if settings.role.trains {
        // A server that serves requests too hears of every digit stored through it; a trainer
        // looks for due digits itself. Both take over a retraining whose trainer died.
        let lookForDueDigits = settings.role == .trainer
        let work = PeriodicCheck(every: settings.checkEvery, logger: app.logger, failure: "could not look for retraining work") {
            try await retrainer.lookForWork(dueDigits: lookForDueDigits)
        }
        app.lifecycle.use(work)
        handlers[.work] = work.wake
    }
    if case .postgres(let url) = settings.database {
        app.lifecycle.use(try DatabaseEventListener(url: url, handlers: handlers, logger: app.logger))
    }
    if settings.role.trains { Task { await retrainer.prepare() } }
    let model = ServerModel(
        versions: versions, retrainer: retrainer, metrics: metrics, serverID: serverID, role: settings.role,
        contributors: try await Contributors.load(from: app.db))
    app.storage[ServerModelKey.self] = model
    return model
}

/// Middleware and routes, and what runs beside the requests until shutdown.
func useRoutes(on app: Application, settings: ServerSettings, model: ServerModel) throws {
    app.http.server.configuration.hostname = settings.hostname
    app.http.server.configuration.port = settings.port
    app.storage[TrustedProxies.Key.self] = TrustedProxies(settings.trustedProxies)
    // Larger bodies are refused (413) while they stream in, before they are held in memory.
    app.routes.defaultMaxBodySize = ByteCount(integerLiteral: DrawingInput.maxBodyBytes)
    // Vapor counts every request and its latency itself (see `ServerMetrics`).
    app.middleware = Middlewares()
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
    // Inside the error middleware: a database gone for a moment is a 503 there, not a 500.
    app.middleware.use(DatabaseUnavailable())
    // Inside the error middleware, so that their refusals are JSON like every other error.
    app.middleware.use(CrossSiteGuard(allowedOrigins: settings.corsOrigins))
    app.middleware.use(MethodNotAllowed(routes: app.routes))

    let drawings = DrawingWorkers()
    let admin = AdminGuard(
        token: try AdminToken.resolve(configured: settings.adminToken, file: settings.adminTokenFile, logger: app.logger))
    try app.register(collection: GuessController(live: model.live, drawings: drawings, metrics: model.metrics))
    try app.register(collection: MetricsController(metrics: model.metrics))
    try app.register(collection: OpenAPIController())
    try app.register(collection: PageController())
    try app.register(collection: HealthController(model: model))
    try app.register(
        collection: DigitController(
            model: model, policy: settings.retraining, admin: admin,
            rateLimiter: settings.storesPerMinute.map(RateLimiter.init(perMinute:)), drawings: drawings))
    if settings.storesPerMinute != nil {
        let database = app.db
        app.lifecycle.use(
            PeriodicCheck(every: .seconds(60), logger: app.logger, failure: "could not forget the rate limits' full buckets") {
                try await RateLimiter.forgetFullBuckets(on: database)
            })
    }
    try app.register(collection: ModelController(model: model, policy: settings.retraining, admin: admin))
    try app.register(collection: NetworkController())
    let matrices = ConfusionMatrices(database: app.db, live: model.live)
    try app.register(collection: ConfusionController(matrices: matrices))
    try app.register(collection: PromptController(matrices: matrices, live: model.live))
    try app.register(collection: ContributorController(admin: admin))
    try app.register(collection: MyDigitsController(contributors: model.contributors))
    try app.register(collection: ExportController(admin: admin, openToAnyone: settings.exportsOpenToAnyone))
    let events = ModelEvents()
    try app.register(collection: events)
    app.storage[ModelEvents.Key.self] = events
    app.lifecycle.use(Shutdown(retrainer: model.retrainer, drawings: drawings, events: events))
    // One read a second for every open page together, only while some are open.
    let (database, policy) = (app.db, settings.retraining)
    app.lifecycle.use(
        PeriodicCheck(every: settings.checkEvery, logger: app.logger, failure: "could not read the model's status for the open pages") {
            guard events.hasSubscribers else { return }
            events.publish(try await ModelController.status(of: model, policy: policy, on: database))
        })
}

extension DatabaseID {
    /// The pool of the retraining's bulk reads.
    static let bulkReads = DatabaseID(string: "bulk-reads")
}

extension Application {
    /// The bulk-reads pool where there is one (a file or PostgreSQL), else the only one.
    var bulkReads: any Database { databases.ids().contains(.bulkReads) ? db(.bulkReads) : db }
}

/// Stops what runs beside the requests when the server shuts down: the pages' status streams,
/// the retraining (its row closed as cancelled rather than left training), then the drawing
/// workers.
struct Shutdown: LifecycleHandler {
    let retrainer: Retrainer
    let drawings: DrawingWorkers
    let events: ModelEvents

    func shutdownAsync(_ application: Application) async {
        events.finishAll()
        await retrainer.shutDown()
        try? await drawings.shutDown()
    }
}

/// Where tests find the server's model life (its versions, live model and retrainer).
struct ServerModelKey: StorageKey {
    typealias Value = ServerModel
}
