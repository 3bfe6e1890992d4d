import DigitImaging
import Fluent
import Foundation
import MNISTData
import Testing
import Vapor
import VaporTesting

@testable import DigitsServer

/// People's digits out (`GET /api/digits/export`, `digits export`) and in (`digits import`).
@Suite(.serialized)
struct ExchangeTests {
    static let admin: HTTPHeaders = ["Authorization": "Bearer test-admin-token"]

    /// 23 made-up digits, each a different pattern, set by position as the server would.
    static let digits = (0..<23).map { index in
        PeopleDigitsImport.Digit(
            pixels: (0..<784).map { UInt8(truncatingIfNeeded: ($0 * (index + 3)) % 251) }, label: index % 10, inTrainingSet: nil)
    }

    func export(_ format: String, headers: HTTPHeaders = admin, on app: Application) async throws -> (HTTPStatus, [UInt8]) {
        var result: (HTTPStatus, [UInt8]) = (.ok, [])
        try await app.testing(method: .running(port: 0)).test(.GET, "api/digits/export?format=\(format)", headers: headers) { response in
            result = (response.status, Array(buffer: response.body))
        }
        return result
    }

    @Test func anExportReadsBackIdenticalThroughAnImport() async throws {
        try await withApp { app in
            _ = try await PeopleDigitsImport.store(Self.digits, contributor: "import-test", on: app.db)
            _ = try await storeSeven(on: app)
            let (status, tar) = try await export("idx", on: app)
            #expect(status == .ok)
            let (_, csv) = try await export("csv", on: app)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("digits-exchange-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let (tarPath, csvPath) = (folder + "/people.tar", folder + "/people.csv")
            try Data(tar).write(to: URL(fileURLWithPath: tarPath))
            try Data(csv).write(to: URL(fileURLWithPath: csvPath))

            for (format, path) in [(ExportFormat.idx, tarPath), (.csv, csvPath)] {
                let fresh = DatabaseLocation.sqlite(path: folder + "/fresh-\(format).sqlite")
                let imported = try await DigitExchange.importDigits(from: path, into: fresh)
                #expect(imported.training == 20 && imported.heldOut == 4, "\(imported)")
                #expect(imported.contributor.hasPrefix("import-"))
                let again = folder + "/again.\(format)"
                try await DigitExchange.export(format, from: fresh, to: again)
                #expect(try Array(Data(contentsOf: URL(fileURLWithPath: again))) == (format == .idx ? tar : csv), "\(format)")
            }
            let lines = String(decoding: csv, as: UTF8.self).split(separator: "\n")
            #expect(lines.count == 25)
            #expect(lines[0].hasPrefix("label,pixel0,pixel1,") && lines[0].hasSuffix(",pixel783,set"))
            #expect(lines[5].hasSuffix(",held-out") && lines[1].hasSuffix(",training"))
        }
    }

    @Test func anExportedIDXReadsWithTheMNISTLoaderAndWithNumpy() async throws {
        try await withApp { app in
            _ = try await PeopleDigitsImport.store(Self.digits, contributor: "import-test", on: app.db)
            let (_, tar) = try await export("idx", on: app)
            let files = try TarArchive.files(in: tar)
            #expect(
                files.keys.sorted() == [
                    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                ])
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("digits-idx-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            for (name, bytes) in files { try Data(bytes).write(to: URL(fileURLWithPath: "\(folder)/\(name)")) }

            let split = try MNISTLoader.load(directory: folder, verifiesChecksums: false)
            let training = Self.digits.enumerated().filter { ($0.offset + 1) % 5 != 0 }.map(\.element)
            let heldOut = Self.digits.enumerated().filter { ($0.offset + 1) % 5 == 0 }.map(\.element)
            #expect(split.training.count == training.count && split.test.count == heldOut.count)
            #expect(split.training.pixels == training.flatMap(\.pixels))
            #expect(split.test.labels == heldOut.map { UInt8($0.label) })

            // What a Python user writes, with numpy, from the bytes.
            let script = """
                import gzip, sys, numpy as np
                images = np.frombuffer(gzip.open(sys.argv[1] + '/train-images-idx3-ubyte.gz').read(), np.uint8, offset=16).reshape(-1, 28, 28)
                labels = np.frombuffer(gzip.open(sys.argv[1] + '/train-labels-idx1-ubyte.gz').read(), np.uint8, offset=8)
                print(images.shape[0], images.shape[1], images.shape[2], int(images.astype(np.int64).sum()), ' '.join(map(str, labels)))
                """
            guard let printed = try Self.python(script, argument: folder) else {
                if ProcessInfo.processInfo.environment["REQUIRE_BROWSER_TESTS"] == "1" {
                    Issue.record("python3 with numpy is needed (pip install numpy)")
                }
                return
            }
            let expected =
                "\(training.count) 28 28 \(training.flatMap(\.pixels).reduce(0) { $0 + Int($1) }) "
                + training.map { String($0.label) }.joined(separator: " ")
            #expect(printed.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
        }
    }

    /// What `script` printed under python3, nil when there is no python3 with numpy.
    static func python(_ script: String, argument: String) throws -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, argument]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }

    @Test func onlyAnAdminExportsUnlessTheSettingSaysAnyone() async throws {
        try await withApp { app in
            let (anonymous, _) = try await export("csv", headers: [:], on: app)
            #expect(anonymous == .unauthorized)
            let (unknown, _) = try await export("zip", on: app)
            #expect(unknown == .badRequest)
        }
        try await withApp({ $0.exportsOpenToAnyone = true }) { app in
            let (status, csv) = try await export("csv", headers: [:], on: app)
            #expect(status == .ok)
            #expect(String(decoding: csv, as: UTF8.self) == PeopleDigitsExport.csvHeader)
        }
    }

    @Test func importsReadFoldersOfPNGsLabelledByFolderOrName() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("digits-pngs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/7", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(sevenPNG()).write(to: URL(fileURLWithPath: folder + "/7/a.png"))
        try Data(sevenPNG()).write(to: URL(fileURLWithPath: folder + "/1_b.png"))
        let digits = try PeopleDigitsImport.read(folder)
        #expect(digits.map(\.label) == [1, 7])
        #expect(try digits[0].pixels == DigitNormaliser.normalise(png: sevenPNG()).bytes)
        try Data(sevenPNG()).write(to: URL(fileURLWithPath: folder + "/seven.png"))
        #expect(throws: ExchangeError.self) { try PeopleDigitsImport.read(folder) }
    }

    @Test(arguments: [
        (
            "label," + (0..<784).map { "pixel\($0)" }.joined(separator: ",") + "\n12" + String(repeating: ",0", count: 784) + "\n",
            "line 2 of bad.csv: the label is 12, not 0-9"
        ),
        ("label,pixel0\n1,0\n", "bad.csv's first line names no pixel1 column"),
        (
            "label," + (0..<784).map { "pixel\($0)" }.joined(separator: ",") + "\n1" + String(repeating: ",300", count: 784) + "\n",
            "line 2 of bad.csv: pixel0 is 300, not 0-255"
        ),
    ])
    func badCSVsAreRefusedInWords(text: String, expected: String) throws {
        #expect(throws: ExchangeError(expected)) { try PeopleDigitsImport.csv(Array(text.utf8), in: "bad.csv") }
    }

    @Test func aDamagedTarIsRefusedAndNothingIsStored() async throws {
        var tar = TarArchive.header(name: "train-images-idx3-ubyte", size: 10) + [UInt8](repeating: 1, count: 512) + TarArchive.end
        tar[130] ^= 1
        #expect(throws: ExchangeError.self) { try TarArchive.files(in: tar) }
        let images = IDXFile.encode(dimensions: [2, 28, 28], bytes: [UInt8](repeating: 9, count: 2 * 784))
        let labels = IDXFile.encode(dimensions: [2], bytes: [3, 11])
        #expect(throws: ExchangeError("label 1 in train-labels-idx1-ubyte is 11, not 0-9")) {
            try PeopleDigitsImport.idx(["train-images-idx3-ubyte": images, "train-labels-idx1-ubyte": labels], in: "x.tar")
        }
    }

    /// An admin's import is one contributor, but no address: its digits are trusted, each a
    /// giver of its own, under no cap.
    @Test func importedDigitsAreNotCappedAsOneAddress() {
        let imported = (0..<500).map { index in
            PersonDigit(
                pixels: [], label: index % 10, guessed: nil, inTrainingSet: true, contributor: "import-20261202T1800Z-1", addressHash: nil)
        }
        #expect(LearningGuard().judge(imported).allSatisfy { $0 == nil })
    }
}

extension ExchangeError: Equatable {
    public static func == (a: ExchangeError, b: ExchangeError) -> Bool { a.description == b.description }
}
