import NeuralNetwork

/// Everything the server is configured with; `digits serve` fills it from flags and the
/// environment, tests from code (SQLite in memory, a small network).
public struct ServerSettings: Sendable {
    /// Where the tables live: a SQLite file (default `digits.sqlite`), or PostgreSQL.
    public var database: DatabaseLocation
    public var hostname: String
    public var port: Int
    /// A model file to start with instead of training the first model.
    public var modelFile: String?
    /// Layers of the networks the server trains.
    public var networkSizes: [Int]
    /// What the networks the server trains read: deskewed digits by default.
    public var input: InputPreparation
    /// How the server trains: the book's settings by default.
    public var training: TrainingOptions
    public var seed: UInt64
    /// When and how people's digits are learned, and when a new model may go live.
    public var retraining: RetrainingPolicy
    /// The secret that admin actions (delete a digit, roll back, retrain now) need. Without one
    /// the server keeps a random one in `adminTokenFile` (see `AdminToken`).
    public var adminToken: String?
    /// Where the admin token is kept when none is configured: a file only this user can read.
    public var adminTokenFile: String
    /// How many digits one client may store per minute; nil for no limit.
    public var storesPerMinute: Int?
    /// Origins that browsers may call the API from (CORS); none by default.
    public var corsOrigins: [String]
    /// What this process does among the servers sharing the database.
    public var role: ServerRole
    /// Reverse proxies (addresses, or networks as `10.0.0.0/8`) whose `X-Forwarded-For` and
    /// `Forwarded` headers name the real client; from anyone else those headers are ignored.
    public var trustedProxies: [String]
    /// Whether anyone may export people's digits (`GET /api/digits/export`); only an admin by default.
    public var exportsOpenToAnyone = false
    /// How often each server looks in the database for what other servers changed: the live
    /// version, retraining work. On PostgreSQL a notification brings both at once; this is
    /// the fallback, and on SQLite (several processes on one file) the only way.
    public var checkEvery: Duration = .seconds(1)

    public init(
        database: DatabaseLocation = .sqlite(path: "digits.sqlite"), hostname: String = "127.0.0.1", port: Int = 8080,
        modelFile: String? = nil, networkSizes: [Int] = [784, 30, 10], input: InputPreparation = .deskewed,
        training: TrainingOptions = TrainingOptions(), seed: UInt64 = 1, retraining: RetrainingPolicy = RetrainingPolicy(),
        adminToken: String? = nil, adminTokenFile: String = "digits-admin-token", storesPerMinute: Int? = 60, corsOrigins: [String] = [],
        role: ServerRole = .all, trustedProxies: [String] = []
    ) {
        self.role = role
        self.trustedProxies = trustedProxies
        self.adminTokenFile = adminTokenFile
        self.database = database
        self.hostname = hostname
        self.port = port
        self.modelFile = modelFile
        self.networkSizes = networkSizes
        self.input = input
        self.training = training
        self.seed = seed
        self.retraining = retraining
        self.adminToken = adminToken
        self.storesPerMinute = storesPerMinute
        self.corsOrigins = corsOrigins
    }

    /// The settings for an in-process test: SQLite in memory, a quick network. Centred
    /// inputs: the tests' stand-in digits tell their class by where a bar stands, which
    /// deskewing (it centres by mass) would erase; real MNIST's tests deskew.
    public static func testing() -> ServerSettings {
        ServerSettings(
            database: .sqlite(path: ":memory:"),
            networkSizes: [784, 20, 10], input: .centred, training: TrainingOptions(epochs: 1), adminToken: "test-admin-token",
            storesPerMinute: nil)
    }
}

/// What one server process does.
public enum ServerRole: String, Sendable, CaseIterable {
    /// Answers requests and trains: one process is the whole of Digits (the default).
    case all
    /// Answers requests and never trains: retrainings it asks for wait for a trainer.
    case web
    /// Trains and promotes the versions the web servers then serve; answers requests too
    /// (`/health`, `/metrics`), though a proxy need not send it any.
    case trainer

    /// Whether this process trains retrainings (its own and those others ask for).
    var trains: Bool { self != .web }
}

/// When the server retrains and what a new model must show before it goes live.
public struct RetrainingPolicy: Sendable {
    /// A retraining starts after this many new verified digits.
    public var every: Int
    /// How many times each person's training digit appears in an epoch. MNIST has 50,000
    /// training digits; repeated ten times, a hundred people's digits weigh like a thousand
    /// of MNIST's, enough to learn a person's style without forgetting MNIST.
    public var personWeight: Int
    /// How much lower than the live model's the new model's MNIST validation accuracy may
    /// be, as a fraction (0.005 = half a percentage point): runs differ by about that much
    /// from their random start alone.
    public var validationMargin: Double
    /// Threads for retraining. One leaves the other core to answer requests.
    public var threads: Int
    /// How long a trainer's claim on a retraining lasts unless it renews it (it does, a
    /// quarter of this apart, while it trains): a trainer killed mid-training holds up the
    /// work this long before another trainer takes it over.
    public var leaseSeconds: Double
    /// Epochs of a fine-tuning retraining (`RetrainingMethod.fineTune`).
    public var fineTuneEpochs: Int
    /// η of a fine-tuning retraining: lower than the book's 0.5, whose last mini-batches leave a
    /// network a few points off on some digit (the judge's check per class then rejects it).
    public var fineTuneEta: Float
    /// A fine-tuning retraining replays as many of MNIST's training digits as it has people's,
    /// and at least this many, so that the network does not forget MNIST while it learns people.
    public var replayAtLeast: Int
    /// How many times each person's digit appears in a fine-tuning's epoch, at most: fewer once
    /// people's digits repeated would outnumber the MNIST digits replayed beside them. Chosen on
    /// the learning benchmark among 1 to 10 (docs/benchmarks.md).
    public var fineTunePersonWeight = 10
    /// How much each repeat of a person's digit after the first is moved (rotated, stretched,
    /// sheared, shifted at random), in a fine-tuning and from scratch alike: ten identical
    /// copies teach those pixels, ten slightly different ones the shape. `.none` repeats the
    /// drawing as stored. Measured on the learning benchmark (docs/benchmarks.md).
    public var repeatJitter = AffineJitter.Limits.peoplesRepeats
    /// What keeps one contributor from moving the model (`LearningGuard`).
    public var learningGuard: LearningGuard
    /// What holds a candidate a crowd of newcomers taught for an admin's review (`CrowdCheck`).
    public var crowdCheck = CrowdCheck()
    /// How much lower than the live model's any one digit's MNIST validation accuracy may be:
    /// an overall margin alone lets a model trade one class away for gains on the others.
    public var classMargin: Double

    public init(
        every: Int = 10, personWeight: Int = 10, validationMargin: Double = 0.005, threads: Int = 1, leaseSeconds: Double = 10,
        fineTuneEpochs: Int = 2, fineTuneEta: Float = 0.1, replayAtLeast: Int = 5_000, learningGuard: LearningGuard = LearningGuard(),
        classMargin: Double = 0.03
    ) {
        self.fineTuneEpochs = fineTuneEpochs
        self.fineTuneEta = fineTuneEta
        self.replayAtLeast = replayAtLeast
        self.learningGuard = learningGuard
        self.classMargin = classMargin
        self.leaseSeconds = leaseSeconds
        self.every = every
        self.personWeight = personWeight
        self.validationMargin = validationMargin
        self.threads = threads
    }
}
