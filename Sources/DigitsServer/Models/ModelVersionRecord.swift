import Fluent
import Foundation

/// A row of the model-versions table: one version of the network with how it did. Every
/// version is kept; exactly one is live. Only `ModelVersions` changes which.
final class ModelVersionRecord: Model, @unchecked Sendable {
    static let schema = "model_versions"

    @ID(key: .id) var id: UUID?
    /// 1, 2, 3, … in the order the versions were made.
    @Field(key: "version") var version: Int
    /// The network as the text of its model file (network2's JSON, see `ModelFile`); empty
    /// while it trains and for a version whose training did not finish.
    @Field(key: "model_file") var modelFile: String
    @OptionalField(key: "train_accuracy") var trainAccuracy: Double?
    @OptionalField(key: "validation_accuracy") var validationAccuracy: Double?
    @OptionalField(key: "test_accuracy") var testAccuracy: Double?
    /// Accuracy on people's held-out digits, when there are any.
    @OptionalField(key: "people_accuracy") var peopleAccuracy: Double?
    /// How many of people's held-out digits `peopleAccuracy` rests on: those of contributors
    /// other than the ones whose new digits made this version (see `PromotionRule`).
    @OptionalField(key: "people_held_out") var peopleHeldOut: Int?
    /// Whether it is being trained now (its row is the retraining's claim).
    @Field(key: "is_training") var isTraining: Bool
    @Field(key: "is_live") var isLive: Bool
    /// The hyperparameters, as JSON.
    @Field(key: "hyperparameters") var hyperparameters: String
    /// How many digits it learned from.
    @Field(key: "trained_on") var trainedOn: Int
    /// How the version ended: see `ModelOutcome`; nil while it trains.
    @OptionalField(key: "outcome") var outcome: ModelOutcome?
    /// Why it was rejected or failed, or how it compared when promoted.
    @OptionalField(key: "reason") var reason: String?
    /// How many verified digits people had stored when this version was claimed: the next
    /// retraining is due `RetrainingPolicy.every` digits later.
    @Field(key: "people_digits") var peopleDigits: Int
    /// While it trains: the server training it (`ServerModel.serverID`), nil for a retraining
    /// a web server asked for that no trainer has taken yet. Kept afterwards: who trained it.
    @OptionalField(key: "trainer") var trainer: String?
    /// While it trains: until when `trainer`'s claim holds unless renewed (see `TrainingLease`).
    @OptionalField(key: "lease_expires_at") var leaseExpiresAt: Date?
    /// While it trains: the trainer's `TrainingStatus` as JSON, for every server to show.
    @OptionalField(key: "training_status") var trainingStatus: String?
    /// An admin asked, on any server, for this retraining to stop.
    @Field(key: "cancel_requested") var cancelRequested: Bool
    /// What it changed against the live version it was judged with, as `VersionChanges`' JSON;
    /// nil before it is judged, for the first model, and for versions judged before it was kept.
    @OptionalField(key: "changes") var changes: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "finished_at") var finishedAt: Date?

    init() {}

    /// A version's row as it starts: training, not live, nothing learned yet. Only
    /// `ModelVersions` makes one (a claim, or the first model).
    init(version: Int, hyperparameters: Hyperparameters?, peopleDigits: Int) {
        self.version = version
        modelFile = ""
        isTraining = true
        isLive = false
        self.hyperparameters = hyperparameters?.json ?? "{}"
        trainedOn = 0
        self.peopleDigits = peopleDigits
        cancelRequested = false
    }

    /// The hyperparameters it records; nil for the first model read from a file (`{}`) or a
    /// row whose JSON cannot be read.
    var storedHyperparameters: Hyperparameters? { try? Hyperparameters(json: hyperparameters) }

    /// How it is (or was) made, as its hyperparameters record.
    var method: RetrainingMethod? { storedHyperparameters?.method.flatMap(RetrainingMethod.init) }
}

/// How a model version ended.
enum ModelOutcome: String, Codable, Sendable {
    /// It went live (it may since have been replaced).
    case promoted
    /// Training finished, but the model did worse than the live one; it was kept, not used.
    case rejected
    /// Training stopped with an error, or the server stopped during it.
    case failed
    /// Training was cancelled (by an admin, or the server shutting down).
    case cancelled
    /// Training finished and the judge passed it, but a crowd of newcomers taught it
    /// (`CrowdCheck`): it waits for an admin to approve it (it goes live) or discard it.
    case held
}

extension ModelVersionRecord {
    /// Marks the version as no longer training, with how it ended and why.
    func finish(_ outcome: ModelOutcome, reason: String) {
        isTraining = false
        leaseExpiresAt = nil
        trainingStatus = nil
        self.outcome = outcome
        self.reason = reason
        finishedAt = Date()
    }

    /// Versions without their networks (a few hundred kilobytes each): what the model
    /// endpoints show. Reading `modelFile` from a record made by this query is an error.
    static func summaries(on database: any Database) -> QueryBuilder<ModelVersionRecord> {
        query(on: database)
            .field(\.$id).field(\.$version).field(\.$trainAccuracy).field(\.$validationAccuracy).field(\.$testAccuracy)
            .field(\.$peopleAccuracy).field(\.$peopleHeldOut).field(\.$isTraining).field(\.$isLive).field(\.$hyperparameters).field(
                \.$trainedOn
            )
            .field(\.$outcome).field(\.$reason).field(\.$peopleDigits).field(\.$createdAt).field(\.$finishedAt)
            .field(\.$trainer).field(\.$leaseExpiresAt).field(\.$trainingStatus).field(\.$cancelRequested).field(\.$changes)
    }
}
