import Foundation
import NeuralNetwork
import Synchronization
import Vapor

/// Where a running retraining is, for the model endpoint and the page.
struct TrainingStatus: Content, Equatable {
    /// The version being trained.
    let version: Int
    /// Epochs finished so far, of `epochs`.
    var epoch: Int
    let epochs: Int
    /// How far training is, from 0 to 1.
    var progress: Double
    let startedAt: Date
    var stage: TrainingStage = .reading
}

/// Where a retraining is. The raw values are what the API and the page show.
enum TrainingStage: String, Codable, Sendable {
    /// Queued on a web server: no trainer has taken it yet.
    case waitingForTrainer = "waiting for a trainer"
    /// Reading the digits.
    case reading
    case training
    /// Scoring the candidate against the live model.
    case judging
    /// Being made live: too late to cancel.
    case promoting
}

/// What the training thread and the requests share about the retraining in progress: its
/// status (written by the thread, read by requests) and whether it was asked to stop.
final class RetrainingProgress: Sendable {
    private let status = Mutex<TrainingStatus?>(nil)
    private let stopRequested = Mutex(false)

    /// The retraining in progress, if any.
    var current: TrainingStatus? { status.withLock { $0 } }
    var isStopRequested: Bool { stopRequested.withLock { $0 } }

    func started(_ initial: TrainingStatus) {
        stopRequested.withLock { $0 = false }
        status.withLock { $0 = initial }
    }

    func requestStop() {
        stopRequested.withLock { $0 = true }
    }

    func enter(_ stage: TrainingStage) {
        status.withLock { $0?.stage = stage }
    }

    func finished() {
        status.withLock { $0 = nil }
    }

    /// Records one event from the training thread; false once a stop was requested.
    func record(_ event: TrainingProgress) -> Bool {
        status.withLock { status in
            guard let epochs = status?.epochs else { return }
            switch event {
            case .batches(let epoch, let done, let total):
                status?.progress = (Double(epoch - 1) + Double(done) / Double(max(1, total))) / Double(epochs)
            case .epochFinished(let report):
                status?.epoch = report.epoch
                status?.progress = Double(report.epoch) / Double(epochs)
            }
        }
        return !isStopRequested
    }
}
