import Foundation

/// Decides whether a freshly trained model may replace the live one.
///
/// Three checks, each also per digit class, since a poisoned or overfitted model can trade one
/// class away while the totals hardly move:
///
/// - MNIST's validation set is large, so fixed margins suffice there: overall
///   (`validationMargin`) and for each digit (`classMargin`, about six standard errors of a
///   class's thousand digits).
/// - People's held-out digits are few (two after the first ten), so a fixed margin would either
///   block every model or let through real regressions; instead the rule asks whether the new
///   model is *significantly* worse on them. Both models read the same digits; only the digits
///   on which they disagree about being right carry information (McNemar's test). With `lost`
///   digits the live model read and the new one misreads, and `gained` the other way round, the
///   new model is rejected when `lost - gained > 2 * sqrt(lost + gained)`: about a 95 %
///   one-sided test, which cannot fire on fewer than five disagreements. The same test runs on
///   each class's held-out digits.
/// - Those held-out digits are only of people whose digits did not change the candidate
///   (`RetrainingData`): a contributor's own held-out digits would vouch for what they taught.
struct PromotionRule: Sendable {
    /// How much lower the validation accuracy may be, as a fraction.
    let validationMargin: Double
    /// How much lower any one digit's validation accuracy may be, as a fraction.
    var classMargin: Double = 0.03

    struct Scores: Sendable {
        /// Correct answers on MNIST's validation digits.
        let validationCorrect: Int
        let validationCount: Int
        /// For each digit 0–9, its correct answers and its count among the validation digits.
        var validationClassCorrect: [Int] = []
        var validationClassCount: [Int] = []
        /// For each of people's held-out digits, whether the model read it right.
        let peopleRight: [Bool]
        /// Their labels, in the same order.
        var peopleLabels: [Int] = []

        var validationAccuracy: Double { validationCount == 0 ? 0 : Double(validationCorrect) / Double(validationCount) }
        var peopleAccuracy: Double? {
            peopleRight.isEmpty ? nil : Double(peopleRight.filter { $0 }.count) / Double(peopleRight.count)
        }

        func validationAccuracy(ofClass digit: Int) -> Double? {
            guard digit < validationClassCount.count, validationClassCount[digit] > 0 else { return nil }
            return Double(validationClassCorrect[digit]) / Double(validationClassCount[digit])
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
        for digit in 0..<10 {
            guard let new = candidate.validationAccuracy(ofClass: digit), let old = live.validationAccuracy(ofClass: digit) else {
                continue
            }
            if old - new > classMargin + 1e-12 {
                return .reject(
                    "MNIST validation \(digit)s \(Self.percent(new)) vs live \(Self.percent(old)): more than \(Self.points(classMargin)) points lower"
                )
            }
        }
        let peopleComparison =
            candidate.peopleRight.isEmpty
            ? "no held-out people's digits to judge on yet"
            : "people's held-out digits \(candidate.peopleRight.filter { $0 }.count)/\(candidate.peopleRight.count) vs live \(live.peopleRight.filter { $0 }.count)/\(live.peopleRight.count)"
        let all = Array(zip(candidate.peopleRight, live.peopleRight))
        if let (lost, gained) = Self.significantlyWorse(all) {
            return .reject(
                "\(comparison); \(peopleComparison): significantly worse (misreads \(lost) the live model reads, reads \(gained) it misreads)"
            )
        }
        if candidate.peopleLabels.count == all.count {
            for digit in 0..<10 {
                let ofClass = zip(all, candidate.peopleLabels).filter { $0.1 == digit }.map(\.0)
                if let (lost, gained) = Self.significantlyWorse(ofClass) {
                    return .reject(
                        "\(comparison); people's held-out \(digit)s: significantly worse (misreads \(lost) the live model reads, reads \(gained) it misreads)"
                    )
                }
            }
        }
        return .promote("\(comparison); \(peopleComparison)")
    }

    /// (lost, gained) when the candidate is significantly worse on these (candidate right, live right) pairs.
    private static func significantlyWorse(_ pairs: [(Bool, Bool)]) -> (Int, Int)? {
        let lost = pairs.filter { !$0.0 && $0.1 }.count
        let gained = pairs.filter { $0.0 && !$0.1 }.count
        return Double(lost - gained) > 2 * Double(lost + gained).squareRoot() ? (lost, gained) : nil
    }

    static func percent(_ fraction: Double) -> String { String(format: "%.2f%%", fraction * 100) }
    static func points(_ fraction: Double) -> String { String(format: "%.2g", fraction * 100) }
}
