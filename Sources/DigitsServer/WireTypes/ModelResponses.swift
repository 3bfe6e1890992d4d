import Foundation
import Vapor

/// One model version, as the history and the model endpoint show it.
struct ModelVersionResponse: Content {
    let version: Int
    let isLive: Bool
    let isTraining: Bool
    /// "promoted", "rejected", "failed" or "cancelled"; absent while training.
    let outcome: String?
    /// Why it was promoted, rejected or failed.
    let reason: String?
    /// Accuracies as fractions from 0 to 1. Test accuracy is reported, never used to choose.
    let trainAccuracy: Double?
    let validationAccuracy: Double?
    let testAccuracy: Double?
    /// Accuracy on people's held-out digits, when there were any.
    let peopleAccuracy: Double?
    /// How many of people's held-out digits `peopleAccuracy` rests on.
    let peopleHeldOut: Int?
    /// How many different digits it learned from.
    let trainedOn: Int
    /// How many verified digits people had stored when it was started.
    let peopleDigits: Int
    let hyperparameters: Hyperparameters?
    let createdAt: Date?
    let finishedAt: Date?

    init(_ record: ModelVersionRecord) {
        version = record.version
        isLive = record.isLive
        isTraining = record.isTraining
        outcome = record.outcome?.rawValue
        reason = record.reason
        trainAccuracy = record.trainAccuracy
        validationAccuracy = record.validationAccuracy
        testAccuracy = record.testAccuracy
        peopleAccuracy = record.peopleAccuracy
        peopleHeldOut = record.peopleHeldOut
        trainedOn = record.trainedOn
        peopleDigits = record.peopleDigits
        hyperparameters = record.storedHyperparameters
        createdAt = record.createdAt
        finishedAt = record.finishedAt
    }
}

/// `GET /api/model`: the live model, the retraining in progress, and when the next one starts.
struct ModelStatusResponse: Content {
    let live: ModelVersionResponse
    /// The retraining in progress, if any.
    let training: TrainingStatus?
    /// The newest version after the live one that was rejected, failed or was cancelled, with
    /// its reason; absent when the latest retraining went live.
    let lastNotPromoted: ModelVersionResponse?
    /// How many more verified digits start the next retraining.
    let digitsUntilRetraining: Int
    /// A retraining starts after this many new verified digits.
    let retrainEvery: Int
}

/// `GET /api/models`: every version, newest first.
struct ModelHistoryResponse: Content {
    let versions: [ModelVersionResponse]
}

/// What starting or cancelling a retraining answers.
struct RetrainingResponse: Content {
    let version: Int
    let message: String
}
