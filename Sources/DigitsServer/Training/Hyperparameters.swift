import Foundation

/// The hyperparameters stored with a model version.
struct Hyperparameters: Codable, Sendable {
    let sizes: [Int]
    let epochs: Int
    let miniBatchSize: Int
    let eta: Float
    let lambda: Float
    let seed: UInt64
    /// How many times each person's training digit appeared per epoch (at most; see
    /// `RetrainingPolicy.personWeight`).
    let personWeight: Int?
    /// What the network reads: "centred" or "deskewed" (`InputPreparation`).
    let input: String?
    /// How the version is made (`RetrainingMethod`): "fine-tune" or "from scratch".
    let method: String?
    /// How far each repeat of a person's digit after the first was moved at random
    /// (`RetrainingPolicy.repeatJitter`), in words; absent in versions made before repeats moved.
    let repeatJitter: String?

    init(settings: ServerSettings, method: RetrainingMethod = .fromScratch) {
        sizes = settings.networkSizes
        epochs = method == .fineTune ? settings.retraining.fineTuneEpochs : settings.training.epochs
        miniBatchSize = settings.training.miniBatchSize
        eta = method == .fineTune ? settings.retraining.fineTuneEta : settings.training.eta
        lambda = settings.training.lambda
        seed = settings.seed
        personWeight = settings.retraining.personWeight
        input = settings.input.rawValue
        self.method = method.rawValue
        repeatJitter = settings.retraining.repeatJitter.summary
    }

    init(json: String) throws {
        self = try JSONDecoder().decode(Hyperparameters.self, from: Data(json.utf8))
    }

    var json: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data("{}".utf8), as: UTF8.self) }
}

/// How a retraining makes its network.
enum RetrainingMethod: String, Sendable {
    /// The live network trained on for a few epochs on people's digits with as many of
    /// MNIST's replayed: what every retraining after 10 new digits does, in a fraction of a
    /// second.
    case fineTune = "fine-tune"
    /// A new network trained on all of MNIST and people's digits: what an admin's retrain-now
    /// does, and any retraining while the live network has another shape or input than the
    /// settings say.
    case fromScratch = "from scratch"
}
