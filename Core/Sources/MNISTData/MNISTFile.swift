/// The four MNIST files, their names and their published SHA-256 digests (of the
/// uncompressed bytes; the mirrors serve them gzip-compressed).
public enum MNISTFile: String, CaseIterable, Sendable {
    case trainingImages = "train-images-idx3-ubyte"
    case trainingLabels = "train-labels-idx1-ubyte"
    case testImages = "t10k-images-idx3-ubyte"
    case testLabels = "t10k-labels-idx1-ubyte"

    /// The file's name without `.gz`, as the mirrors and `SHA256SUMS` give it.
    public var name: String { rawValue }
    /// The name the public mirrors serve it under.
    public var compressedName: String { rawValue + ".gz" }

    /// The SHA-256 of the uncompressed file, as published with MNIST.
    public var sha256: String {
        switch self {
        case .trainingImages: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
        case .trainingLabels: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
        case .testImages: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
        case .testLabels: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
        }
    }

    /// The names this file may have on disk, in the order they are looked for: the mirrors'
    /// gzip name, the uncompressed name, and the dotted spelling some copies use
    /// (`train-images.idx3-ubyte`).
    public var candidateNames: [String] {
        let dotted = rawValue.replacingFirst("-idx", with: ".idx")
        return [compressedName, rawValue, dotted + ".gz", dotted]
    }

    var isImages: Bool { self == .trainingImages || self == .testImages }
}

extension String {
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        var result = self
        result.replaceSubrange(range, with: replacement)
        return result
    }
}
