import Fluent
import Foundation

/// A retraining's claim, held as a lease: the row of the version being trained names its
/// trainer and a time the claim lasts until, and the trainer moves that time forward every
/// `renewEvery` while it trains. A trainer that dies stops renewing; once the time passes,
/// the next trainer to look (`ModelVersions.claim`) takes the version over and trains it from
/// the start. A server that starts therefore never ends a claim whose holder is alive.
///
/// Each renewal (`ModelVersions.renew`) also writes the trainer's status into the row, so that every server shows the
/// retraining in progress, and reads back whether an admin on any server asked it to stop.
struct TrainingLease: Sendable {
    /// This server's name in the rows it claims.
    let holder: String
    let duration: Double
    var renewEvery: Duration { .milliseconds(Int(duration * 250)) }

    /// What a renewal found.
    enum Renewal: Equatable {
        /// Still this trainer's; `cancelRequested` when an admin asked for a stop.
        case held(cancelRequested: Bool)
        /// Another trainer took the version over (this one stalled past its lease), or its
        /// row was closed: this trainer must stop and write nothing more to it.
        case lost
    }

    /// When a claim made or renewed now expires.
    func expiry(from now: Date = Date()) -> Date { now.addingTimeInterval(duration) }

    /// Whether `record`'s claim is held by a live trainer at `now`.
    static func isAlive(_ record: ModelVersionRecord, at now: Date = Date()) -> Bool {
        guard record.trainer != nil, let expiry = record.leaseExpiresAt else { return false }
        return expiry > now
    }

    /// `status` as a row stores it; nil if it cannot be written (the row keeps its last one).
    static func encode(_ status: TrainingStatus) -> String? {
        (try? JSONEncoder.lease.encode(status)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The status every server shows for a version in training: what its trainer last wrote,
    /// or, for one no trainer has taken yet, that it waits for one.
    static func status(of record: ModelVersionRecord) -> TrainingStatus {
        if let text = record.trainingStatus, let status = try? JSONDecoder.lease.decode(TrainingStatus.self, from: Data(text.utf8)) {
            return status
        }
        return TrainingStatus(
            version: record.version, epoch: 0, epochs: record.storedHyperparameters?.epochs ?? 0, progress: 0,
            startedAt: record.createdAt ?? Date(), stage: .waitingForTrainer)
    }
}

extension JSONEncoder {
    /// Dates as seconds since 1970, exactly as they were.
    fileprivate static var lease: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }
}

extension JSONDecoder {
    fileprivate static var lease: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }
}
