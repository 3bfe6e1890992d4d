import Foundation

/// The hyperparameters stored with a model version.
struct Hyperparameters: Codable, Sendable {
    let sizes: [Int]
    let epochs: Int
    let miniBatchSize: Int
    let eta: Float
    let lambda: Float
    let seed: UInt64
    /// How many times each person's training digit appeared per epoch.
    let personWeight: Int?

    init(settings: ServerSettings) {
        sizes = settings.networkSizes
        epochs = settings.training.epochs
        miniBatchSize = settings.training.miniBatchSize
        eta = settings.training.eta
        lambda = settings.training.lambda
        seed = settings.seed
        personWeight = settings.retraining.personWeight
    }

    var json: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data("{}".utf8), as: UTF8.self) }
}
