import Foundation
import MNISTData

/// Where the MNIST files are looked for: the `--data` flag, else `MNIST_DIR`, else a folder
/// in the user's data directory (`$XDG_DATA_HOME/digits/mnist`, by default
/// `~/.local/share/digits/mnist`), which is the one place files are downloaded to.
public struct MNISTDirectory: Equatable, Sendable {
    public let path: String
    /// Whether the user named the folder (flag or environment): then nothing is downloaded
    /// into it, and missing files are an error that says what to put there.
    public let isExplicit: Bool

    public init(path: String, isExplicit: Bool) {
        self.path = path
        self.isExplicit = isExplicit
    }

    public static func resolve(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> MNISTDirectory {
        if let flag, !flag.isEmpty { return MNISTDirectory(path: flag, isExplicit: true) }
        if let variable = environment["MNIST_DIR"], !variable.isEmpty { return MNISTDirectory(path: variable, isExplicit: true) }
        let dataHome =
            environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        return MNISTDirectory(path: dataHome + "/digits/mnist", isExplicit: false)
    }
}

/// Loads MNIST from `directory`, downloading it first when the default folder lacks files.
public enum MNISTSource {
    public static func load(
        _ directory: MNISTDirectory, downloader: MNISTDownloader = MNISTDownloader(),
        log: (String) -> Void = { _ in }
    ) throws -> MNISTSplit {
        let missing: [String]
        do {
            return try MNISTLoader.load(directory: directory.path)
        } catch {
            guard case .missingFiles(_, let names) = error, !directory.isExplicit else { throw error }
            missing = names
        }
        log("MNIST is not in \(directory.path) yet: downloading \(missing.joined(separator: ", ")).")
        try downloader.download(MNISTFile.allCases.filter { missing.contains($0.compressedName) }, into: directory.path, log: log)
        return try MNISTLoader.load(directory: directory.path)
    }
}
