/// What can go wrong finding, reading or checking the MNIST files. Every message names the
/// file and ends with what to do.
public enum MNISTError: Error, Equatable, CustomStringConvertible {
    /// Some of the four files are not in `directory`.
    case missingFiles(directory: String, names: [String])
    /// A file exists but could not be read.
    case unreadable(path: String, reason: String)
    /// A file is truncated, corrupt or not the IDX file it should be.
    case corrupt(path: String, problem: String)
    /// A file decompressed fine but is not the published MNIST file.
    case checksumMismatch(path: String, expected: String, actual: String)

    public var description: String {
        switch self {
        case .missingFiles(let directory, let names):
            return "MNIST files missing in \(directory): \(names.joined(separator: ", ")) "
                + "(each as NAME.gz or uncompressed). Put the four IDX files there, "
                + "or point --data / MNIST_DIR at the folder that has them."
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason). Check the path and its permissions."
        case .corrupt(let path, let problem):
            return "\(path) is not a valid MNIST file: \(problem). Delete it and download it again."
        case .checksumMismatch(let path, let expected, let actual):
            return "\(path) is not the published MNIST file: its SHA-256 is \(actual), "
                + "expected \(expected). Delete it and download it again."
        }
    }
}
