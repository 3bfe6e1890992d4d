import Foundation
import MNISTData

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Downloads the MNIST files from public mirrors, verifies each against its published
/// SHA-256, and writes it only once verified, so a failed or tampered download leaves
/// nothing behind.
public struct MNISTDownloader: Sendable {
    /// The mirrors tried in order; each serves `NAME.gz` under its base address.
    public static let publicMirrors = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ]

    public let mirrors: [String]
    public let timeout: TimeInterval

    /// Mirrors from `MNIST_MIRRORS` (comma-separated base addresses) if set, else the public ones.
    public init(mirrors: [String]? = nil, timeout: TimeInterval = 60, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let configured = environment["MNIST_MIRRORS"]?.split(separator: ",").map { String($0) }.filter { !$0.isEmpty }
        self.mirrors = mirrors ?? configured.flatMap { $0.isEmpty ? nil : $0 } ?? Self.publicMirrors
        self.timeout = timeout
    }

    /// Downloads `files` into `directory` (created if needed).
    public func download(_ files: [MNISTFile], into directory: String, log: (String) -> Void = { _ in }) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for file in files {
            var failures: [String] = []
            var saved = false
            for mirror in mirrors where !saved {
                let address = (mirror.hasSuffix("/") ? mirror : mirror + "/") + file.compressedName
                do {
                    let bytes = try fetch(address)
                    _ = try MNISTLoader.uncompressedVerified(file, bytes: bytes, path: address)
                    let target = directory + "/" + file.compressedName
                    let partial = target + ".part"
                    try Data(bytes).write(to: URL(fileURLWithPath: partial))
                    _ = try? FileManager.default.removeItem(atPath: target)
                    try FileManager.default.moveItem(atPath: partial, toPath: target)
                    log("downloaded \(file.compressedName) from \(address) (\(bytes.count) bytes, checksum verified)")
                    saved = true
                } catch {
                    failures.append("\(address): \(error)")
                }
            }
            if !saved { throw MNISTDownloadError(directory: directory, file: file, failures: failures) }
        }
    }

    private func fetch(_ address: String) throws -> [UInt8] {
        guard let url = URL(string: address) else { throw DownloadFailure(reason: "not a valid address") }
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout
        let box = ResultBox()
        let semaphore = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            if let error {
                box.result = .failure(DownloadFailure(reason: error.localizedDescription))
            } else if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                box.result = .failure(DownloadFailure(reason: "HTTP status \(http.statusCode)"))
            } else {
                box.result = .success([UInt8](data ?? Data()))
            }
            semaphore.signal()
        }
        task.resume()
        semaphore.wait()
        return try box.result!.get()
    }
}

private final class ResultBox: @unchecked Sendable {
    var result: Result<[UInt8], Error>?
}

struct DownloadFailure: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}

/// No mirror gave a verified copy of a file: says what was tried and what to do by hand.
public struct MNISTDownloadError: Error, CustomStringConvertible {
    public let directory: String
    public let file: MNISTFile
    public let failures: [String]

    public var description: String {
        let tried = failures.map { "  - \($0)" }.joined(separator: "\n")
        let names = MNISTFile.allCases.map(\.compressedName).joined(separator: ", ")
        return """
            could not download \(file.compressedName):
            \(tried)
            Without internet access, copy the four MNIST files (\(names)) from a machine that has \
            them into \(directory), or point --data / MNIST_DIR at a folder that holds them.
            """
    }
}
