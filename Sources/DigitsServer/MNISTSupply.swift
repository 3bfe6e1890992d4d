import MNISTData
import Vapor

/// Where the server's MNIST comes from on a first start, when the database holds none yet:
/// `digits serve` reads the files (downloading them if it may), tests make a few digits of
/// their own. Asked at most once, and not at all on a restart.
public struct MNISTSupply: Sendable {
    let load: @Sendable (Logger) throws -> MNISTSplit

    /// `load` returns the split, logging its progress (a download, say) to the logger it gets.
    public init(_ load: @escaping @Sendable (Logger) throws -> MNISTSplit) {
        self.load = load
    }
}
