import ArgumentParser
import MNISTData
import MNISTFetching

/// Where MNIST comes from, shared by every command that reads it.
struct DataOptions: ParsableArguments {
    @Option(
        name: .customLong("data"),
        help: ArgumentHelp(
            "The folder with the four MNIST IDX files, gzip'd or raw (default: MNIST_DIR, else ~/.local/share/digits/mnist, downloaded when missing).",
            valueName: "dir"))
    var directory: String?

    /// Loads MNIST, downloading it into the default folder if needed; progress goes to stderr.
    func load() throws -> MNISTSplit {
        try MNISTSource.load(MNISTDirectory.resolve(flag: directory)) { Terminal.note($0) }
    }
}
