import MNISTFetching
import NeuralNetwork

/// Everything the server is configured with; `digits serve` fills it from flags and the
/// environment, tests from code (SQLite in memory, a small network).
public struct ServerSettings: Sendable {
    /// Where the database lives: a file path for SQLite, or `:memory:` (tests).
    public var databasePath: String
    public var hostname: String
    public var port: Int
    /// Where MNIST comes from on first start.
    public var mnistDirectory: MNISTDirectory
    /// A model file to start with instead of training the first model.
    public var modelFile: String?
    /// Layers of the networks the server trains.
    public var networkSizes: [Int]
    /// How the server trains: the book's settings by default.
    public var training: TrainingOptions
    public var seed: UInt64

    public init(
        databasePath: String = "digits.sqlite", hostname: String = "127.0.0.1", port: Int = 8080,
        mnistDirectory: MNISTDirectory, modelFile: String? = nil, networkSizes: [Int] = [784, 30, 10],
        training: TrainingOptions = TrainingOptions(), seed: UInt64 = 1
    ) {
        self.databasePath = databasePath
        self.hostname = hostname
        self.port = port
        self.mnistDirectory = mnistDirectory
        self.modelFile = modelFile
        self.networkSizes = networkSizes
        self.training = training
        self.seed = seed
    }

    /// The settings for an in-process test: SQLite in memory, a quick network.
    public static func testing(mnistDirectory: String) -> ServerSettings {
        ServerSettings(
            databasePath: ":memory:", mnistDirectory: MNISTDirectory(path: mnistDirectory, isExplicit: true),
            networkSizes: [784, 20, 10], training: TrainingOptions(epochs: 1))
    }
}
