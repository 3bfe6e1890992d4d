import DigitImaging
import Foundation
import LoopbackPorts
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real `digits serve` on a real SQLite file: first start, a guess, ten stored digits and
/// the retrained model they start, a restart that finds the same state.
@Suite(.serialized, .enabled(if: CommandRunner.mnistDirectory != nil, "needs MNIST_DIR"))
struct ServeEndToEndTests {
    final class Server: @unchecked Sendable {
        let process = Process()
        let log: URL
        let port: Int

        init(database: String, port: Int, log: URL, arguments: [String] = [], environment: [String: String] = [:]) throws {
            self.port = port
            self.log = log
            process.executableURL = CommandRunner.executable
            let tokenFile = log.deletingLastPathComponent().appendingPathComponent("admin-token").path
            process.arguments = ["serve", "--database", database, "--port", String(port), "--admin-token-file", tokenFile] + arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        /// Waits until /health answers 200, or `seconds` pass.
        func waitUntilHealthy(seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if let (status, _) = try? request("GET", "/health"), status == 200 { return true }
                Thread.sleep(forTimeInterval: 0.25)
            }
            return false
        }

        func request(
            _ method: String, _ path: String, contentType: String? = nil, body: Data? = nil, headers: [String: String] = [:]
        ) throws -> (Int, Data) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.httpMethod = method
            request.httpBody = body
            request.timeoutInterval = 10
            if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
            for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
            let semaphore = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var result: Result<(Int, Data), Error> = .failure(URLError(.timedOut))
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    result = .failure(error)
                } else {
                    result = .success(((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()))
                }
                semaphore.signal()
            }.resume()
            semaphore.wait()
            return try result.get()
        }

        func json(_ path: String) throws -> [String: Any] {
            let (_, body) = try request("GET", path)
            return try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
        }

        var liveVersion: Int? { ((try? json("/api/model"))?["live"] as? [String: Any])?["version"] as? Int }

        var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        func stop() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    @Test func firstStartThenRestartFindsTheSameState() throws {
        let folder = try CommandRunner.temporaryDirectory()
        let database = folder.appendingPathComponent("digits.sqlite").path
        let port = LoopbackPorts.free()
        let drawing = PNGCodec.encode(
            [UInt8](repeating: 255, count: 60 * 60).enumerated().map { index, value in
                let (x, y) = (index % 60, index / 60)
                return (25...34).contains(x) && (8...52).contains(y) ? 0 : value  // a "1"
            }, width: 60, height: 60, layout: .grey)

        let first = try Server(database: database, port: port, log: folder.appendingPathComponent("first.log"))
        defer { first.stop() }
        try #require(first.waitUntilHealthy(seconds: 240), "\(first.logText)")
        let (guessStatus, guessBody) = try first.request("POST", "/api/guess", contentType: "image/png", body: Data(drawing))
        #expect(guessStatus == 200)
        let guess = try JSONSerialization.jsonObject(with: guessBody) as? [String: Any]
        #expect((guess?["percentages"] as? [Double])?.count == 10)
        let store = Data(#"{"image": "\#(Data(drawing).base64EncodedString())", "label": 1}"#.utf8)
        var lastStored: [String: Any] = [:]
        for _ in 0..<10 {
            let (storeStatus, storeBody) = try first.request("POST", "/api/digits", contentType: "application/json", body: store)
            #expect(storeStatus == 201)
            lastStored = try JSONSerialization.jsonObject(with: storeBody) as? [String: Any] ?? [:]
        }
        #expect(lastStored["retrainingStarted"] as? Int == 2)
        #expect(first.logText.contains("imported 70000 of 70000 digits"))
        #expect(first.logText.contains("first model: test accuracy"))
        let deadline = Date().addingTimeInterval(120)
        while first.liveVersion != 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.25) }
        #expect(first.liveVersion == 2, "\(first.logText)")
        #expect(first.logText.contains("retraining: version 2 is live after"))
        let (_, afterRetraining) = try first.request("POST", "/api/guess", contentType: "image/png", body: Data(drawing))
        #expect(String(decoding: afterRetraining, as: UTF8.self).contains(#""modelVersion":2"#))
        first.stop()

        let second = try Server(database: database, port: port, log: folder.appendingPathComponent("second.log"))
        defer { second.stop() }
        try #require(second.waitUntilHealthy(seconds: 60), "\(second.logText)")
        #expect(second.logText.contains("MNIST already imported"))
        #expect(second.logText.contains("live model: version 2"))
        #expect(!second.logText.contains("training the first model"))
        #expect(!second.logText.contains("retraining: version 3"))
        let (_, health) = try second.request("GET", "/health")
        #expect(String(decoding: health, as: UTF8.self).contains(#""modelVersion":2"#))
        let versions = (try second.json("/api/models")["versions"] as? [[String: Any]])?.compactMap { $0["version"] as? Int }
        #expect(versions == [2, 1])
        #expect(try second.json("/api/digits")["total"] as? Int == 10)
        #expect(try second.json("/api/model")["digitsUntilRetraining"] as? Int == 10)
    }

    /// kill -9 while four clients store digits loses none that was acknowledged; kill -9
    /// during a retraining leaves a claim the restarted server takes over once its lease ran
    /// out (2 s here), and nothing is stuck: it can be cancelled and another started.
    @Test func killedMidStoreOrMidRetrainingLosesNothingAndBlocksNothing() throws {
        let folder = try CommandRunner.temporaryDirectory()
        let database = folder.appendingPathComponent("digits.sqlite").path
        let port = LoopbackPorts.free()
        let settings = ["--retrain-every", "100000", "--stores-per-minute", "0", "--training-lease", "2"]
        let admin = ["DIGITS_ADMIN_TOKEN": "kill-test-token"]
        let body = Data(#"{"image": "\#(Data(Self.one).base64EncodedString())", "label": 1}"#.utf8)

        let first = try Server(
            database: database, port: port, log: folder.appendingPathComponent("first.log"), arguments: settings, environment: admin)
        defer { first.stop() }
        try #require(first.waitUntilHealthy(seconds: 240), "\(first.logText)")
        let acknowledged = Acknowledged()
        let clients = (0..<4).map { _ in
            Thread {
                while true {
                    guard let (status, reply) = try? first.request("POST", "/api/digits", contentType: "application/json", body: body),
                        status == 201, let id = (try? JSONSerialization.jsonObject(with: reply) as? [String: Any])?["id"] as? String
                    else { return }
                    acknowledged.add(id)
                }
            }
        }
        clients.forEach { $0.start() }
        while acknowledged.count < 100 { Thread.sleep(forTimeInterval: 0.01) }
        first.stop()
        Thread.sleep(forTimeInterval: 0.5)  // the clients see their connections refused and stop

        let second = try Server(
            database: database, port: port, log: folder.appendingPathComponent("second.log"), arguments: settings, environment: admin)
        defer { second.stop() }
        try #require(second.waitUntilHealthy(seconds: 60), "\(second.logText)")
        var stored = Set<String>()
        for page in 1... {
            let items = (try second.json("/api/digits?per=100&page=\(page)")["items"] as? [[String: Any]]) ?? []
            if items.isEmpty { break }
            stored.formUnion(items.compactMap { $0["id"] as? String })
        }
        let missing = acknowledged.ids.subtracting(stored)
        #expect(missing.isEmpty, "\(missing.count) of \(acknowledged.ids.count) acknowledged digits are gone")

        let token = ["Authorization": "Bearer kill-test-token"]
        #expect(try second.request("POST", "/api/model/retrain", headers: token).0 == 202)
        let deadline = Date().addingTimeInterval(30)
        while (try? second.json("/api/model"))?["training"] as? [String: Any] == nil, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        second.stop()

        let third = try Server(
            database: database, port: port, log: folder.appendingPathComponent("third.log"), arguments: settings, environment: admin)
        defer { third.stop() }
        try #require(third.waitUntilHealthy(seconds: 60), "\(third.logText)")
        // Taken over: the third server trains version 2 itself (its status says "training").
        let takenOver = Date().addingTimeInterval(30)
        var training: [String: Any]?
        while Date() < takenOver {
            training = (try? third.json("/api/model"))?["training"] as? [String: Any]
            if training?["stage"] as? String == "training" { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(training?["version"] as? Int == 2, "\(training ?? [:])")
        #expect(third.logText.contains("taking over version 2"), "\(third.logText)")
        #expect(try third.request("DELETE", "/api/model/training", headers: token).0 == 200)
        let closed = Date().addingTimeInterval(30)
        while (try? third.json("/api/model"))?["training"] as? [String: Any] != nil, Date() < closed {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let versions = (try third.json("/api/models")["versions"] as? [[String: Any]]) ?? []
        #expect(versions.first?["version"] as? Int == 2)
        #expect(versions.first?["outcome"] as? String == "cancelled")
        let (status, reply) = try third.request("POST", "/api/model/retrain", headers: token)
        #expect(status == 202, "\(String(decoding: reply, as: UTF8.self))")
        #expect(String(decoding: reply, as: UTF8.self).contains(#""version":3"#))
    }

    static let one = PNGCodec.encode(
        [UInt8](repeating: 255, count: 60 * 60).enumerated().map { index, value in
            let (x, y) = (index % 60, index / 60)
            return (25...34).contains(x) && (8...52).contains(y) ? 0 : value
        }, width: 60, height: 60, layout: .grey)

    /// The ids the server acknowledged, from several client threads.
    final class Acknowledged: @unchecked Sendable {
        private let lock = NSLock()
        private var stored = Set<String>()
        func add(_ id: String) { lock.withLock { _ = stored.insert(id) } }
        var ids: Set<String> { lock.withLock { stored } }
        var count: Int { ids.count }
    }
}
