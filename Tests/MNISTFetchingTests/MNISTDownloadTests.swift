import Foundation
import MNISTData
import Testing

@testable import MNISTFetching

@Suite(.serialized) struct MNISTDownloadTests {
    func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("digits-fetch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["MNIST_DIR"] != nil, "needs MNIST_DIR"))
    func downloadsVerifiesAndLoadsIntoTheDefaultFolder() throws {
        let mirror = try LoopbackMirror(serving: ProcessInfo.processInfo.environment["MNIST_DIR"]!)
        let home = try temporaryFolder()
        let directory = MNISTDirectory.resolve(flag: nil, environment: ["XDG_DATA_HOME": home])
        var lines: [String] = []
        let split = try MNISTSource.load(directory, downloader: MNISTDownloader(mirrors: ["http://127.0.0.1:9/", mirror.address])) {
            lines.append($0)
        }
        #expect(split.training.count == 50_000 && split.test.count == 10_000)
        #expect(lines.contains { $0.contains("checksum verified") })
        #expect(FileManager.default.fileExists(atPath: home + "/digits/mnist/t10k-labels-idx1-ubyte.gz"))
    }

    @Test func aTamperedMirrorIsRefusedAndNothingIsWritten() throws {
        let served = try temporaryFolder()
        for file in MNISTFile.allCases {
            try Data(Gzip.compress(IDXFile.encode(dimensions: [1], bytes: [3]))).write(
                to: URL(fileURLWithPath: served + "/" + file.compressedName))
        }
        let mirror = try LoopbackMirror(serving: served)
        let target = try temporaryFolder()
        #expect {
            try MNISTDownloader(mirrors: [mirror.address]).download([.testLabels], into: target)
        } throws: { error in
            let text = "\(error)"
            return text.contains("could not download t10k-labels-idx1-ubyte.gz") && text.contains("is not the published MNIST file")
                && text.contains("copy the four MNIST files")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).isEmpty)
    }

    @Test func anExplicitFolderIsNeverDownloadedInto() throws {
        let folder = try temporaryFolder()
        #expect {
            try MNISTSource.load(
                MNISTDirectory(path: folder, isExplicit: true), downloader: MNISTDownloader(mirrors: ["http://127.0.0.1:9/"]))
        } throws: { "\($0)".contains("MNIST files missing in \(folder)") }
    }
}
