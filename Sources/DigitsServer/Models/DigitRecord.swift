import Fluent
import Foundation

/// A row of the digits table: a 28x28 picture, its label, and where it came from.
final class DigitRecord: Model, @unchecked Sendable {
    static let schema = "digits"

    @ID(key: .id) var id: UUID?
    /// 784 grey levels, row-major, 0 background to 255 ink (MNIST's layout).
    @Field(key: "pixels") var pixels: Data
    /// The digit, 0–9.
    @Field(key: "label") var label: Int
    /// Whether it is in the training set; otherwise it is held out to measure the network.
    @Field(key: "in_training_set") var inTrainingSet: Bool
    @Enum(key: "source") var source: DigitSource
    /// For a person's digit: what the live model guessed before the person confirmed or corrected.
    @OptionalField(key: "guessed_label") var guessedLabel: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    /// The `Idempotency-Key` the client sent with the store, if any.
    @OptionalField(key: "idempotency_key") var idempotencyKey: String?
    /// For a person's digit: who gave it, the id `Contributors` issued (nil for digits stored
    /// before contributors were recorded).
    @OptionalField(key: "contributor") var contributor: String?
    /// For a person's digit: the client's address, keyed-hashed (`Contributors.hash`) so that
    /// two digits from one address can be told apart from two addresses, never read back.
    @OptionalField(key: "client_hash") var clientHash: String?

    init() {}

    init(
        pixels: Data, label: Int, inTrainingSet: Bool, source: DigitSource, guessedLabel: Int? = nil, idempotencyKey: String? = nil,
        contributor: String? = nil, clientHash: String? = nil
    ) {
        self.contributor = contributor
        self.clientHash = clientHash
        self.idempotencyKey = idempotencyKey
        self.pixels = pixels
        self.label = label
        self.inTrainingSet = inTrainingSet
        self.source = source
        self.guessedLabel = guessedLabel
    }
}

extension DigitRecord {
    /// "training" when the digit is a training input, "held-out" when it is kept aside to
    /// measure accuracy on people's drawings: how the API and the metrics name its set.
    var set: String { inTrainingSet ? "training" : "held-out" }
}

/// Where a digit came from.
enum DigitSource: String, Codable, CaseIterable, Sendable {
    case mnistTraining = "mnist_training"
    case mnistValidation = "mnist_validation"
    case mnistTest = "mnist_test"
    case person
}
