import DigitImaging
import Foundation
import MNISTData
import Testing

/// `digits` driven through its real command line: exit codes, what it prints, what it writes.
@Suite(.serialized) struct CommandLineTests {
    @Test(arguments: [
        (["train", "--epochs", "0"], "epochs must be at least 1"),
        (["train", "--hidden", "0"], "--hidden must be between 1 and 4096"),
        (["train", "--eta=-1"], "eta must be a positive number"),
        (["train", "--schedule"], "add --early-stop N"),
        (["train", "--cost", "hinge"], "hinge"),
        (["train", "--early-stop", "0"], "patience of at least 1"),
        (["train", "--threads", "3"], "threads must be 1 or 2"),
        (["train", "--output", "/no/such/folder/model.json"], "the folder /no/such/folder does not exist"),
        (["predict", "missing-model.json", "x.png"], "cannot read the model file missing-model.json"),
        (["evaluate", "/etc/hostname"], "is not a usable model file"),
        (["frobnicate"], "Unexpected argument"),
        (["serve", "--database", "mysql://db/digits"], "neither a SQLite file nor a PostgreSQL URL"),
        (["serve", "--database", "postgres://digits:hunter2@db"], "postgres://digits:***@db names no database"),
        (["serve", "--role", "leader"], "--role must be all, web or trainer, got leader"),
        (["serve", "--training-lease", "0"], "--training-lease must be a number of seconds from 1 to 3600, got 0"),
        (["serve", "--trusted-proxy", "nginx.local"], "--trusted-proxy takes an IP address or a network"),
        (["serve", "--trusted-proxy", "10.0.0.0/33"], "got 10.0.0.0/33"),
        (["serve", "--hidden", "0"], "--hidden must be between 1 and 4096 neurons, got 0"),
        (["serve", "--corroborations", "1001"], "--corroborations must be a number of addresses from 0 to 1000, got 1001"),
        (["serve", "--trusted-after", "many"], "--trusted-after must be a number of digits from 0 to 1000, got many"),
        (["serve", "--crowd", "1001"], "--crowd must be a number of contributors from 0 to 1000, got 1001"),
        (["serve", "--export", "everyone"], "--export must be admin or anyone, got everyone"),
        (["export", "--output", "x.tar", "--database", "/no/such/digits.sqlite"], "there is no database at /no/such/digits.sqlite"),
        (["export", "--format", "zip", "--output", "x.zip"], "zip"),
        (["import", "/no/such/folder"], "/no/such/folder does not exist"),
        (["import", "/etc/hostname"], "is neither a .tar of IDX files, a .csv, nor a folder"),
    ])
    func badInputGetsAClearMessageAndANonZeroExit(arguments: [String], message: String) throws {
        let result = try CommandRunner.run(arguments)
        #expect(result.status != 0)
        #expect(result.errors.contains(message), "stderr was: \(result.errors)")
        #expect(!result.errors.contains("Fatal error"))
    }

    /// A PostgreSQL URL to a server that is not there: a sentence with what to check, and the
    /// password nowhere in the output.
    @Test func unreachablePostgreSQLIsNamedWithoutItsPassword() throws {
        let result = try CommandRunner.run([
            "serve", "--database", "postgres://digits:hunter2@127.0.0.1:9/digits?tlsmode=disable", "--port", "18097",
        ])
        #expect(result.status != 0)
        #expect(result.errors.contains("cannot connect to PostgreSQL"), "stderr was: \(result.errors)")
        #expect(result.errors.contains("is it running, and are the URL's host and port right?"))
        #expect(!result.errors.contains("hunter2") && !result.output.contains("hunter2"))
    }

    /// Digits imported from a folder of PNGs into a new database come out as a CSV and as the
    /// tar of IDX files, and the tar imported into another database exports the same bytes.
    @Test func importThenExportRoundTrips() throws {
        let folder = try CommandRunner.temporaryDirectory()
        let drawings = folder.appendingPathComponent("drawings/3")
        try FileManager.default.createDirectory(at: drawings, withIntermediateDirectories: true)
        for index in 0..<6 {
            var grey = [UInt8](repeating: 255, count: 60 * 60)
            for y in 10..<50 { for x in (20 + index)..<(26 + index) { grey[y * 60 + x] = 0 } }
            try Data(PNGCodec.encode(grey, width: 60, height: 60, layout: .grey)).write(to: drawings.appendingPathComponent("\(index).png"))
        }
        let first = folder.appendingPathComponent("first.sqlite").path
        let imported = try CommandRunner.run(["import", folder.appendingPathComponent("drawings").path, "--database", first])
        #expect(imported.status == 0, "\(imported.errors)")
        #expect(imported.output.contains("imported 6 digits (5 training, 1 held out) as contributor import-"))
        let tar = folder.appendingPathComponent("people.tar").path
        #expect(try CommandRunner.run(["export", "--database", first, "--output", tar]).status == 0)
        let csv = try CommandRunner.run(["export", "--database", first, "--format", "csv", "--output", "-"])
        #expect(csv.output.split(separator: "\n").count == 7)
        #expect(csv.output.hasPrefix("label,pixel0,") && csv.output.contains(",held-out\n"))
        let second = folder.appendingPathComponent("second.sqlite").path
        #expect(try CommandRunner.run(["import", tar, "--database", second]).status == 0)
        let again = folder.appendingPathComponent("again.tar").path
        #expect(try CommandRunner.run(["export", "--database", second, "--output", again]).status == 0)
        #expect(FileManager.default.contents(atPath: again) == FileManager.default.contents(atPath: tar))
    }

    @Test func explicitDataFolderWithoutMNISTSaysWhatToPutThere() throws {
        let empty = try CommandRunner.temporaryDirectory()
        let result = try CommandRunner.run(["train", "--epochs", "1", "--data", empty.path])
        #expect(result.status != 0)
        #expect(result.errors.contains("MNIST files missing in \(empty.path)"))
        #expect(result.errors.contains("train-images-idx3-ubyte.gz"))
    }

    /// No MNIST anywhere and no network (a mirror on a closed loopback port): the message
    /// names each failed address and says where to put which files.
    @Test func offlineDownloadSaysWhatToDo() throws {
        let home = try CommandRunner.temporaryDirectory()
        let result = try CommandRunner.run(
            ["train", "--epochs", "1"],
            environment: ["MNIST_DIR": "", "XDG_DATA_HOME": home.path, "MNIST_MIRRORS": "http://127.0.0.1:9/"])
        #expect(result.status != 0)
        #expect(result.errors.contains("could not download train-images-idx3-ubyte.gz"))
        #expect(result.errors.contains("http://127.0.0.1:9/train-images-idx3-ubyte.gz"))
        #expect(result.errors.contains("into \(home.path)/digits/mnist"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: home.path + "/digits/mnist").isEmpty)
    }

    @Test(.enabled(if: CommandRunner.mnistDirectory != nil, "needs MNIST_DIR"))
    func trainEvaluatePredictEndToEnd() throws {
        let folder = try CommandRunner.temporaryDirectory()
        let model = folder.appendingPathComponent("model.json").path
        let train = try CommandRunner.run(["train", "--epochs", "2", "--hidden", "20", "--seed", "3", "--output", model])
        #expect(train.status == 0, "\(train.errors)")
        #expect(train.errors.contains("epoch 1/2  validation"))
        #expect(train.output.contains("test accuracy"))
        #expect(train.output.contains("model saved to \(model)"))
        #expect(train.errors.contains("on 50,000 deskewed digits"))
        #expect(try String(contentsOfFile: model, encoding: .utf8).contains(#""input":"deskewed""#))

        let evaluate = try CommandRunner.run(["evaluate", model])
        #expect(evaluate.status == 0)
        let accuracyLine = evaluate.output.split(separator: "\n").first { $0.hasPrefix("test accuracy") }!
        let percent = Double(accuracyLine.split(separator: " ")[2].dropLast())!
        #expect(percent > 90)
        #expect(evaluate.output.contains("guessed as"))
        #expect(train.output.contains(String(accuracyLine)))

        // A test digit enlarged to 280x280, dark on light, as a PNG; and a blank one.
        let split = try MNISTLoader.load(directory: CommandRunner.mnistDirectory!)
        let digit = split.test.image(at: 0)
        let large = (0..<(280 * 280)).map { 255 - digit[digit.startIndex + (($0 / 280) / 10) * 28 + ($0 % 280) / 10] }
        let drawing = folder.appendingPathComponent("seven.png")
        try Data(PNGCodec.encode(large, width: 280, height: 280, layout: .grey)).write(to: drawing)
        let blank = folder.appendingPathComponent("blank.png")
        try Data(PNGCodec.encode([UInt8](repeating: 255, count: 100), width: 10, height: 10, layout: .grey)).write(to: blank)

        let predict = try CommandRunner.run(["predict", model, drawing.path, "--show"])
        #expect(predict.status == 0, "\(predict.errors)")
        #expect(predict.output.contains("\(drawing.path): 7   activations 0 "))
        #expect(predict.output.contains("█"))

        let mixed = try CommandRunner.run(["predict", model, drawing.path, blank.path])
        #expect(mixed.status == 1)
        #expect(mixed.output.contains("seven.png: 7"))
        #expect(mixed.errors.contains("blank.png: the drawing is blank"))
    }
}
