/// Finds, reads and checks the four MNIST files in a folder.
public enum MNISTLoader {
    /// Reads the four files in `directory`, checks them, and splits them 50,000 / 10,000 / 10,000.
    ///
    /// - Parameter verifiesChecksums: compare each file with its published SHA-256; only tests
    ///   of small hand-made files turn this off.
    public static func load(directory: String, verifiesChecksums: Bool = true) throws(MNISTError) -> MNISTSplit {
        let paths = try locate(directory: directory)
        let training = try readSet(.trainingImages, .trainingLabels, paths: paths, verifiesChecksums: verifiesChecksums)
        let test = try readSet(.testImages, .testLabels, paths: paths, verifiesChecksums: verifiesChecksums)
        let cut = min(MNISTSplit.trainingCount, training.count)
        return MNISTSplit(
            training: training.slice(0..<cut), validation: training.slice(cut..<training.count), test: test)
    }

    /// The path of each MNIST file in `directory`, gzip-compressed or not; throws
    /// `missingFiles` naming every file that is not there.
    public static func locate(directory: String) throws(MNISTError) -> [MNISTFile: String] {
        var paths: [MNISTFile: String] = [:]
        var missing: [String] = []
        let folder = directory.hasSuffix("/") ? directory : directory + "/"
        for file in MNISTFile.allCases {
            if let found = file.candidateNames.map({ folder + $0 }).first(where: BinaryFile.exists) {
                paths[file] = found
            } else {
                missing.append(file.compressedName)
            }
        }
        guard missing.isEmpty else { throw .missingFiles(directory: directory, names: missing) }
        return paths
    }

    /// The uncompressed bytes of `file` at `path`, checked against its published digest.
    public static func readVerified(_ file: MNISTFile, at path: String, verifiesChecksum: Bool = true) throws(MNISTError) -> [UInt8] {
        let stored = try BinaryFile.read(path)
        return try uncompressedVerified(file, bytes: stored, path: path, verifiesChecksum: verifiesChecksum)
    }

    /// `bytes` (gzip or raw) uncompressed and checked against the digest of `file`.
    public static func uncompressedVerified(
        _ file: MNISTFile, bytes stored: [UInt8], path: String, verifiesChecksum: Bool = true
    ) throws(MNISTError) -> [UInt8] {
        var bytes = stored
        if Gzip.isCompressed(stored) {
            switch Gzip.decompress(stored) {
            case .success(let inflated): bytes = inflated
            case .failure(let failure): throw .corrupt(path: path, problem: failure.reason)
            }
        }
        if verifiesChecksum {
            let digest = SHA256.hexDigest(bytes)
            guard digest == file.sha256 else {
                // A checksum says only "different"; parse first so a truncated file says so.
                _ = try parse(file, bytes: bytes, path: path)
                throw .checksumMismatch(path: path, expected: file.sha256, actual: digest)
            }
        }
        return bytes
    }

    /// The images and labels of one set; the caller names the files, so nothing is guessed
    /// from a path (a folder called "t10k-copy" holds training files too).
    private static func readSet(
        _ imageFile: MNISTFile, _ labelFile: MNISTFile, paths: [MNISTFile: String], verifiesChecksums: Bool
    ) throws(MNISTError) -> MNISTImages {
        let images = paths[imageFile]!
        let labels = paths[labelFile]!
        let imageIDX = try parse(imageFile, bytes: readVerified(imageFile, at: images, verifiesChecksum: verifiesChecksums), path: images)
        let labelIDX = try parse(labelFile, bytes: readVerified(labelFile, at: labels, verifiesChecksum: verifiesChecksums), path: labels)
        guard imageIDX.dimensions[0] == labelIDX.dimensions[0] else {
            throw .corrupt(
                path: labels, problem: "it has \(labelIDX.dimensions[0]) labels for the \(imageIDX.dimensions[0]) images in \(images)")
        }
        if let index = labelIDX.bytes.firstIndex(where: { $0 > 9 }) {
            throw .corrupt(path: labels, problem: "label \(index) is \(labelIDX.bytes[index]), not a digit 0-9")
        }
        return MNISTImages(rows: imageIDX.dimensions[1], columns: imageIDX.dimensions[2], pixels: imageIDX.bytes, labels: labelIDX.bytes)
    }

    /// Parses the uncompressed bytes of `file`, checking its magic number and dimensions.
    static func parse(_ file: MNISTFile, bytes: [UInt8], path: String) throws(MNISTError) -> IDXFile {
        let expectedMagic: UInt8 = file.isImages ? 3 : 1
        if bytes.count >= 4, bytes[0] == 0, bytes[1] == 0, bytes[2] == 8, bytes[3] != expectedMagic {
            let kind = file.isImages ? "images (magic 2051)" : "labels (magic 2049)"
            throw .corrupt(path: path, problem: "its magic number announces \(bytes[3]) dimensions, but it should hold \(kind)")
        }
        let idx: IDXFile
        do {
            idx = try IDXFile(parsing: bytes, dimensionCount: Int(expectedMagic))
        } catch {
            throw .corrupt(path: path, problem: error.description)
        }
        if file.isImages, idx.dimensions[1] != 28 || idx.dimensions[2] != 28 {
            throw .corrupt(path: path, problem: "its images are \(idx.dimensions[1])x\(idx.dimensions[2]), MNIST's are 28x28")
        }
        return idx
    }
}
