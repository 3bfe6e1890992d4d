import Foundation

/// Decides whether a freshly trained model may replace the live one.
///
/// MNIST's validation set is large, so a fixed margin suffices there. People's held-out
/// digits are few (two after the first ten), so a fixed margin would either block every
/// model or let through real regressions; instead the rule asks whether the new model is
/// *significantly* worse on them. Both models read the same digits; only the digits on
/// which they disagree about being right carry information (McNemar's test). With `lost`
/// digits the live model read and the new one misreads, and `gained` the other way round,
/// the new model is rejected when `lost - gained > 2 * sqrt(lost + gained)`: about a 95 %
/// one-sided test, which cannot fire on fewer than five disagreements.
struct PromotionRule: Sendable {
    /// How much lower the validation accuracy may be, as a fraction.
    let validationMargin: Double

    struct Scores: Sendable {
        /// Correct answers on MNIST's validation digits.
        let validationCorrect: Int
        let validationCount: Int
        /// For each of people's held-out digits, whether the model read it right.
        let peopleRight: [Bool]

        var validationAccuracy: Double { validationCount == 0 ? 0 : Double(validationCorrect) / Double(validationCount) }
        var peopleAccuracy: Double? {
            peopleRight.isEmpty ? nil : Double(peopleRight.filter { $0 }.count) / Double(peopleRight.count)
        }
    }

    enum Verdict: Equatable, Sendable {
        case promote(String)
        case reject(String)
    }

    func judge(candidate: Scores, live: Scores) -> Verdict {
        let drop = live.validationAccuracy - candidate.validationAccuracy
        let comparison = "MNIST validation \(Self.percent(candidate.validationAccuracy)) vs live \(Self.percent(live.validationAccuracy))"
        if drop > validationMargin + 1e-12 {
            return .reject("\(comparison): more than \(Self.points(validationMargin)) points lower")
        }
        let pairs = zip(candidate.peopleRight, live.peopleRight)
        let lost = pairs.filter { !$0.0 && $0.1 }.count
        let gained = pairs.filter { $0.0 && !$0.1 }.count
        let peopleComparison =
            candidate.peopleRight.isEmpty
            ? "no held-out people's digits yet"
            : "people's held-out digits \(candidate.peopleRight.filter { $0 }.count)/\(candidate.peopleRight.count) vs live \(live.peopleRight.filter { $0 }.count)/\(live.peopleRight.count)"
        if Double(lost - gained) > 2 * Double(lost + gained).squareRoot() {
            return .reject(
                "\(comparison); \(peopleComparison): significantly worse (misreads \(lost) the live model reads, reads \(gained) it misreads)"
            )
        }
        return .promote("\(comparison); \(peopleComparison)")
    }

    static func percent(_ fraction: Double) -> String { String(format: "%.2f%%", fraction * 100) }
    static func points(_ fraction: Double) -> String { String(format: "%.2g", fraction * 100) }
}
