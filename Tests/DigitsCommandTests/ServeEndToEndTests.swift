import DigitImaging
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real `digits serve` on a real SQLite file: first start, a guess, a stored digit, a
/// restart that finds the same state.
@Suite(.serialized, .enabled(if: CommandRunner.mnistDirectory != nil, "needs MNIST_DIR"))
struct ServeEndToEndTests {
    final class Server {
        let process = Process()
        let log: URL
        let port: Int

        init(database: String, port: Int, log: URL) throws {
            self.port = port
            self.log = log
            process.executableURL = CommandRunner.executable
            process.arguments = ["serve", "--database", database, "--port", String(port)]
            FileManager.default.createFile(atPath: log.path, contents: nil)
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

        func request(_ method: String, _ path: String, contentType: String? = nil, body: Data? = nil) throws -> (Int, Data) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.httpMethod = method
            request.httpBody = body
            request.timeoutInterval = 10
            if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
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

        var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        func stop() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    @Test func firstStartThenRestartFindsTheSameState() throws {
        let folder = try CommandRunner.temporaryDirectory()
        let database = folder.appendingPathComponent("digits.sqlite").path
        let port = Int.random(in: 41_000..<49_000)
        let drawing = PNGCodec.encode(
            [UInt8](repeating: 255, count: 60 * 60).enumerated().map { index, value in
                let (x, y) = (index % 60, index / 60)
                return (25...34).contains(x) && (8...52).contains(y) ? 0 : value  // a "1"
            }, width: 60, height: 60, layout: .grey)

        let first = try Server(database: database, port: port, log: folder.appendingPathComponent("first.log"))
        defer { first.stop() }
        #expect(first.waitUntilHealthy(seconds: 240), "\(first.logText)")
        let (guessStatus, guessBody) = try first.request("POST", "/api/guess", contentType: "image/png", body: Data(drawing))
        #expect(guessStatus == 200)
        let guess = try JSONSerialization.jsonObject(with: guessBody) as? [String: Any]
        #expect((guess?["percentages"] as? [Double])?.count == 10)
        let store = Data(#"{"image": "\#(Data(drawing).base64EncodedString())", "label": 1}"#.utf8)
        let (storeStatus, _) = try first.request("POST", "/api/digits", contentType: "application/json", body: store)
        #expect(storeStatus == 201)
        #expect(first.logText.contains("imported 70000 of 70000 digits"))
        #expect(first.logText.contains("first model: test accuracy"))
        first.stop()

        let second = try Server(database: database, port: port, log: folder.appendingPathComponent("second.log"))
        defer { second.stop() }
        #expect(second.waitUntilHealthy(seconds: 60), "\(second.logText)")
        #expect(second.logText.contains("MNIST already imported"))
        #expect(second.logText.contains("live model: version 1"))
        #expect(!second.logText.contains("training the first model"))
        let (_, health) = try second.request("GET", "/health")
        #expect(String(decoding: health, as: UTF8.self).contains(#""modelVersion":1"#))
    }
}
