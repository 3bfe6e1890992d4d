import NeuralNetwork
import Synchronization
import Vapor

/// The network that answers guesses. Requests read it; a finished retraining swaps in a new
/// one in a single step, so every request sees either the old model or the new, never a mix.
///
/// A lock rather than an actor: a guess reads it on the event loop that received the request,
/// without hopping to another thread and back (at thousands of guesses a second those hops
/// cost more than the network's forward pass). The lock is held only to copy a reference.
final class LiveModel: Sendable {
    private let state = Mutex<(network: Network, version: Int)?>(nil)
    private let metrics: ServerMetrics?

    init(metrics: ServerMetrics? = nil) {
        self.metrics = metrics
    }

    /// Swaps `network` in; only `ModelVersions` calls it, after the database says `version` is live.
    func replace(with network: Network, version: Int) {
        state.withLock { $0 = (network, version) }
        metrics?.modelWentLive(version: version)
    }

    /// The live network and its version, or nil before the first model is ready.
    func current() -> (network: Network, version: Int)? {
        state.withLock { $0 }
    }

    /// The live network and its version; 503 before the first model is ready.
    func required() throws -> (network: Network, version: Int) {
        guard let live = current() else { throw Abort(.serviceUnavailable, reason: "no model is loaded yet; try again in a moment") }
        return live
    }
}
