import Foundation
import MNISTData
import Testing

@testable import MNISTFetching

@Suite struct MNISTDirectoryTests {
    @Test func theFlagWinsThenTheEnvironmentThenTheUsersDataFolder() {
        let environment = ["MNIST_DIR": "/env/mnist", "HOME": "/home/ada"]
        #expect(MNISTDirectory.resolve(flag: "/flag", environment: environment) == MNISTDirectory(path: "/flag", isExplicit: true))
        #expect(MNISTDirectory.resolve(flag: nil, environment: environment) == MNISTDirectory(path: "/env/mnist", isExplicit: true))
        #expect(
            MNISTDirectory.resolve(flag: nil, environment: ["HOME": "/home/ada"])
                == MNISTDirectory(path: "/home/ada/.local/share/digits/mnist", isExplicit: false))
        #expect(
            MNISTDirectory.resolve(flag: nil, environment: ["HOME": "/home/ada", "XDG_DATA_HOME": "/data"])
                == MNISTDirectory(path: "/data/digits/mnist", isExplicit: false))
    }
}

/// A mirror on loopback: Python's http.server over a folder, as the public mirrors serve files.
final class LoopbackMirror {
    let process = Process()
    let port: Int

    init(serving folder: String) throws {
        port = Int.random(in: 20_000..<40_000)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", folder]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var attempts = 0
        while !Self.accepts(port: port) && attempts < 100 {
            Thread.sleep(forTimeInterval: 0.05)
            attempts += 1
        }
    }

    /// Whether something listens on the loopback port.
    static func accepts(port: Int) -> Bool {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    var address: String { "http://127.0.0.1:\(port)/" }

    deinit {
        // SIGKILL: a child started by Process inherits a signal mask that can block SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

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
