import Foundation
import NeuralNetwork

/// Shows training as it goes: on a terminal a bar redrawn in place with samples per second and
/// the time left; elsewhere (a log, a pipe) only one line per epoch.
struct TrainingProgressView {
    let epochs: Int
    let showsBar: Bool
    /// Reset when an epoch's report arrives, after its evaluation: the next epoch starts then.
    private var epochStarted = Date()
    private var runStarted = Date()

    init(epochs: Int, showsBar: Bool) {
        self.epochs = epochs
        self.showsBar = showsBar
    }

    /// Handles one event from training; always lets it go on.
    mutating func handle(_ event: TrainingProgress) -> Bool {
        switch event {
        case .batches(let epoch, let done, let total):
            guard showsBar else { return true }
            let elapsed = Date().timeIntervalSince(epochStarted)
            let rate = elapsed > 0 ? Double(done) / elapsed : 0
            let fraction = Double(done) / Double(total)
            let overall = Date().timeIntervalSince(runStarted)
            let finishedFraction = (Double(epoch - 1) + fraction) / Double(epochs)
            let left = finishedFraction > 0 ? overall / finishedFraction - overall : 0
            Terminal.redraw(
                "epoch \(epoch)/\(epochs) \(bar(fraction)) \(Int(fraction * 100))%  "
                    + "\(Format.grouped(Int(rate))) samples/s  about \(Format.seconds(left)) left")
        case .epochFinished(let report):
            if showsBar { Terminal.endRedrawing() }
            Terminal.note(line(report))
            epochStarted = Date()
        }
        return true
    }

    func finish() {
        if showsBar { Terminal.endRedrawing() }
    }

    private func bar(_ fraction: Double) -> String {
        let width = 24
        let filled = min(width, Int(fraction * Double(width)))
        return "[" + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled) + "]"
    }

    private func line(_ report: EpochReport) -> String {
        var text = "epoch \(String(report.epoch).leftPadded(to: String(epochs).count))/\(epochs)"
        if let validation = report.validation {
            text += "  validation \(Format.percent(validation.accuracy)) cost \(String(format: "%.4f", validation.totalCost))"
        }
        if let training = report.training {
            text += "  training \(Format.percent(training.accuracy)) cost \(String(format: "%.4f", training.totalCost))"
        }
        text += "  eta \(report.eta)  \(Format.seconds(report.trainingSeconds))"
        return text
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
