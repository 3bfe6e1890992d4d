/// Whether a network's ten outputs single out one digit, and when they do not, which digits
/// to offer the person: the page then asks "3 or 9?" instead of stating a 3.
///
/// A guess is *sure* when its top activation is at least `topAtLeast` and leads the second by
/// at least `leadAtLeast`. Otherwise the candidates are the top digit and every other whose
/// activation is at least `candidateShare` of the top's: at least two, at most
/// `maxCandidates`, most active first. The levels were chosen on people's held-out pen digits (the learning benchmark's
/// read writers; docs/benchmarks.md, "Not sure"): out of the box, sure guesses were right far more often
/// than not-sure ones, and the right digit was among the candidates for most of the rest.
struct GuessCertainty: Equatable, Sendable {
    static let topAtLeast: Float = 0.5
    static let leadAtLeast: Float = 0.3
    static let candidateShare: Float = 0.25
    static let maxCandidates = 3

    let sure: Bool
    /// The digits to offer, most active first: only the guess when sure.
    let candidates: [Int]
}

extension GuessCertainty {
    init(activations: [Float]) {
        let order = activations.indices.sorted { activations[$0] > activations[$1] || (activations[$0] == activations[$1] && $0 < $1) }
        guard let top = order.first else {
            sure = false
            candidates = []
            return
        }
        let second = order.count > 1 ? activations[order[1]] : 0
        sure = activations[top] >= Self.topAtLeast && activations[top] - second >= Self.leadAtLeast
        let close = order.prefix { activations[$0] >= Self.candidateShare * activations[top] }.count
        candidates = sure ? [top] : Array(order.prefix(min(Self.maxCandidates, max(2, close))))
    }
}
