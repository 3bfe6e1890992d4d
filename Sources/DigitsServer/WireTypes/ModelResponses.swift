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
    /// What it changed against the live version it was judged with; absent while it trains, for
    /// the first model, for a version that ended before it was judged, and for one judged before
    /// this was kept.
    let changes: VersionChangesResponse?
    /// How many of the asking visitor's digits (by their contributor cookie or header) it was the
    /// first to learn from; absent when the request names no contributor or none of theirs.
    let yourDigits: Int?

    /// `contributor`: the visitor asking, to say which versions learned their digits.
    init(_ record: ModelVersionRecord, contributor: String? = nil) {
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
        let changes = VersionChanges(json: record.changes)
        self.changes = changes.map(VersionChangesResponse.init)
        yourDigits = contributor.flatMap { changes?.newByContributor[$0] }
    }
}

/// `VersionChanges` as the API shows it: per digit, and how many learned, never who.
struct VersionChangesResponse: Content {
    struct DigitChange: Content {
        let digit: Int
        /// People's held-out digits of this class both models read.
        let heldOut: Int
        /// How many of them the live model it was compared with read right, and how many it did.
        let rightBefore: Int
        let rightAfter: Int
    }

    /// The live version it was judged against.
    let comparedWith: Int
    let perDigit: [DigitChange]
    /// People's digits it learned from, and how many contributors gave them.
    let learnedDigits: Int
    let learnedContributors: Int
    /// Of those, the ones the version it was compared with had not learned, and their contributors.
    let newDigits: Int
    let newContributors: Int

    init(_ changes: VersionChanges) {
        comparedWith = changes.comparedWith
        perDigit = (0..<min(10, changes.heldOut.count, changes.rightBefore.count, changes.rightAfter.count)).map {
            DigitChange(digit: $0, heldOut: changes.heldOut[$0], rightBefore: changes.rightBefore[$0], rightAfter: changes.rightAfter[$0])
        }
        learnedDigits = changes.learnedDigits
        learnedContributors = changes.learnedContributors
        newDigits = changes.newDigits
        newContributors = changes.newByContributor.count
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
