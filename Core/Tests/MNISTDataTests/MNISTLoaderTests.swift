import Testing

@testable import MNISTData

/// A tiny data set in MNIST's file layout: `count` 28x28 images whose pixels are the label.
private func writeTinyMNIST(to folder: TemporaryFolder, count: Int = 3, compress: Bool = true) {
    let labels = (0..<count).map { UInt8($0 % 10) }
    let pixels = labels.flatMap { [UInt8](repeating: $0, count: 784) }
    let files: [(MNISTFile, [UInt8])] = [
        (.trainingImages, IDXFile.encode(dimensions: [count, 28, 28], bytes: pixels)),
        (.trainingLabels, IDXFile.encode(dimensions: [count], bytes: labels)),
        (.testImages, IDXFile.encode(dimensions: [count, 28, 28], bytes: pixels)),
        (.testLabels, IDXFile.encode(dimensions: [count], bytes: labels)),
    ]
    for (file, bytes) in files {
        folder.write(compress ? file.compressedName : file.name, compress ? Gzip.compress(bytes) : bytes)
    }
}

@Suite struct MNISTLoaderTests {
    @Test func missingFilesAreNamedWithWhatToDo() {
        let folder = TemporaryFolder()
        folder.write(MNISTFile.trainingImages.compressedName, [])
        #expect {
            try MNISTLoader.locate(directory: folder.path)
        } throws: { error in
            let text = "\(error)"
            return text.contains("train-labels-idx1-ubyte.gz") && text.contains("t10k-images-idx3-ubyte.gz")
                && !text.contains("train-images") && text.contains("MNIST_DIR")
        }
    }

    @Test func readsRawAndGzipFilesAndSplits() throws {
        for compress in [true, false] {
            let folder = TemporaryFolder()
            writeTinyMNIST(to: folder, count: 3, compress: compress)
            let split = try MNISTLoader.load(directory: folder.path, verifiesChecksums: false)
            #expect(split.training.count == 3)
            #expect(split.validation.count == 0)
            #expect(split.test.labels == [0, 1, 2])
            #expect(split.test.image(at: 2).allSatisfy { $0 == 2 })
            #expect(split.test.image(at: 1).allSatisfy { $0 == 1 })
        }
    }

    @Test func hostileFilesAreRefusedWithTheirName() {
        let folder = TemporaryFolder()
        writeTinyMNIST(to: folder)
        // Truncated gzip.
        let full = Gzip.compress(IDXFile.encode(dimensions: [3], bytes: [0, 1, 2]))
        folder.write(MNISTFile.trainingLabels.compressedName, Array(full.prefix(12)))
        #expect {
            try MNISTLoader.load(directory: folder.path, verifiesChecksums: false)
        } throws: { "\($0)".contains("train-labels-idx1-ubyte.gz is not a valid MNIST file") && "\($0)".contains("truncated") }

        // A label file where an image file belongs.
        writeTinyMNIST(to: folder)
        folder.write(MNISTFile.testImages.compressedName, Gzip.compress(IDXFile.encode(dimensions: [3], bytes: [0, 1, 2])))
        #expect { try MNISTLoader.load(directory: folder.path, verifiesChecksums: false) } throws: {
            "\($0)".contains("should hold images")
        }

        // A label that is not a digit.
        writeTinyMNIST(to: folder)
        folder.write(MNISTFile.testLabels.compressedName, Gzip.compress(IDXFile.encode(dimensions: [3], bytes: [0, 12, 2])))
        #expect { try MNISTLoader.load(directory: folder.path, verifiesChecksums: false) } throws: { "\($0)".contains("label 1 is 12") }

        // Image count and label count disagree.
        writeTinyMNIST(to: folder)
        folder.write(MNISTFile.testLabels.compressedName, Gzip.compress(IDXFile.encode(dimensions: [2], bytes: [0, 1])))
        #expect { try MNISTLoader.load(directory: folder.path, verifiesChecksums: false) } throws: {
            "\($0)".contains("2 labels for the 3 images")
        }
    }

    @Test func aWellFormedFileThatIsNotMNISTFailsItsChecksum() {
        let folder = TemporaryFolder()
        writeTinyMNIST(to: folder)
        #expect {
            try MNISTLoader.load(directory: folder.path)
        } throws: { error in
            guard case .checksumMismatch(let path, let expected, _) = error as? MNISTError else { return false }
            return path.hasSuffix("train-images-idx3-ubyte.gz") && expected == MNISTFile.trainingImages.sha256
        }
    }

    @Test(.enabled(if: sharedMNISTDirectory() != nil, "needs ../shared/data/mnist or MNIST_DIR"))
    func loadsTheRealFilesSplit50k10k10k() throws {
        let split = try MNISTLoader.load(directory: sharedMNISTDirectory()!)
        #expect(split.training.count == 50_000)
        #expect(split.validation.count == 10_000)
        #expect(split.test.count == 10_000)
        #expect((split.training.rows, split.training.columns) == (28, 28))
        // The first training digit is a 5, the first test digit a 7.
        #expect(split.training.labels[0] == 5)
        #expect(split.test.labels[0] == 7)
        #expect(split.validation.labels.count == 10_000)
    }
}
