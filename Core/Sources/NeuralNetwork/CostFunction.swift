/// The cost a network is trained to minimise: network2's `CrossEntropyCost` and `QuadraticCost`.
///
/// Each cost gives its value for one output and its output error δᴸ, the two things
/// network2's cost classes provide (`fn` and `delta`).
public enum CostFunction: String, Sendable, CaseIterable, Codable {
    /// C = −Σ [y·ln a + (1 − y)·ln(1 − a)], with δᴸ = a − y: the σ′ factor cancels, so
    /// saturated output neurons still learn.
    case crossEntropy = "CrossEntropyCost"
    /// C = ½‖a − y‖², with δᴸ = (a − y)·σ′(z) = (a − y)·a·(1 − a).
    case quadratic = "QuadraticCost"

    /// The cost of output activations `a` against the desired outputs `y` (network2's `fn`).
    public func value(activations a: some Collection<Float>, desired y: some Collection<Float>) -> Double {
        precondition(a.count == y.count, "cost: \(a.count) activations against \(y.count) desired outputs")
        var total = 0.0
        for (ai, yi) in zip(a, y) {
            let ad = Double(ai)
            let yd = Double(yi)
            switch self {
            case .crossEntropy:
                // network2 uses np.nan_to_num so that 0·ln 0 counts as 0 and ln 0 as a large
                // finite number: a term whose factor is 0 is skipped, and ln 0 becomes ln 1e-300.
                if yd != 0 { total -= yd * Platform.naturalLog(max(ad, 1e-300)) }
                if yd != 1 { total -= (1 - yd) * Platform.naturalLog(max(1 - ad, 1e-300)) }
            case .quadratic:
                total += 0.5 * (ad - yd) * (ad - yd)
            }
        }
        return total
    }

    /// The output error δᴸ = ∂C/∂zᴸ for one output neuron (network2's `delta`), written in
    /// terms of the activation a = σ(z), which is all the training loop keeps.
    @inline(__always)
    public func outputError(activation a: Float, desired y: Float) -> Float {
        switch self {
        case .crossEntropy: return a - y
        case .quadratic: return (a - y) * a * (1 - a)
        }
    }
}
