import NeuralNetwork
import Vapor

/// The network that answers guesses. Requests read it; a finished retraining swaps in a new
/// one in a single step, so every request sees either the old model or the new, never a mix.
actor LiveModel {
    private(set) var network: Network?
    private(set) var version: Int?
    private let metrics: ServerMetrics?

    init(metrics: ServerMetrics? = nil) {
        self.metrics = metrics
    }

    func replace(with network: Network, version: Int) {
        self.network = network
        self.version = version
        metrics?.modelWentLive(version: version)
    }

    /// The live network and its version, or nil before the first model is ready.
    func current() -> (network: Network, version: Int)? {
        guard let network, let version else { return nil }
        return (network, version)
    }

    /// The live network and its version; 503 before the first model is ready.
    func required() throws -> (network: Network, version: Int) {
        guard let live = current() else { throw Abort(.serviceUnavailable, reason: "no model is loaded yet; try again in a moment") }
        return live
    }
}
