import DigitImaging
import Fluent
import Foundation
import MNISTData

/// People's digits read from files, and stored as people's digits.
///
/// Reads what `PeopleDigitsExport` writes — the tar of four IDX files and the CSV — and also a
/// folder holding IDX files in MNIST's names (gzip'd or not; the `t10k` pair is optional), a
/// Kaggle-style CSV without a `set` column, and a folder of PNG drawings labelled by the
/// folder they are in (`7/a.png`) or by how their name starts (`7_a.png`, `7-a.png`). Each
/// PNG is normalised as the server normalises a drawing. Digits whose set is not given are
/// held out as the server holds out stored digits: every fifth.
enum PeopleDigitsImport {
    /// A digit read from a file, before it is stored.
    struct Digit: Equatable, Sendable {
        let pixels: [UInt8]
        let label: Int
        /// Nil when the file does not say: then every fifth is held out.
        let inTrainingSet: Bool?
    }

    /// A file larger than this is refused before it is read (about 1.3 million digits of IDX).
    static let maxFileBytes = 1 << 30

    /// The digits in the file or folder at `path`.
    static func read(_ path: String) throws -> [Digit] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ExchangeError("\(path) does not exist")
        }
        if isFolder.boolValue {
            let names = try FileManager.default.contentsOfDirectory(atPath: path)
            if names.contains(where: { $0.hasPrefix("train-images-idx3-ubyte") }) {
                var files: [String: [UInt8]] = [:]
                for name in names where name.contains("-idx") {
                    files[name] = try readFile((path as NSString).appendingPathComponent(name))
                }
                return try idx(files, in: path)
            }
            return try pngs(in: path)
        }
        let bytes = try readFile(path)
        let lowered = path.lowercased()
        if lowered.hasSuffix(".csv") { return try csv(bytes, in: path) }
        if lowered.hasSuffix(".tar") || lowered.hasSuffix(".tar.gz") || lowered.hasSuffix(".tgz") {
            let archive = Gzip.isCompressed(bytes) ? try inflate(bytes, in: path) : bytes
            let entries = try TarArchive.files(in: archive)
            return try idx(
                Dictionary(entries.map { (($0.key as NSString).lastPathComponent, $0.value) }, uniquingKeysWith: { a, _ in a }), in: path)
        }
        throw ExchangeError(
            "\(path) is neither a .tar of IDX files, a .csv, nor a folder (of IDX files, or of PNGs in folders 0-9); which of these is it?")
    }

    private static func readFile(_ path: String) throws -> [UInt8] {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= maxFileBytes else { throw ExchangeError("\(path) is \(size >> 20) MiB; split it into files of at most 1 GiB") }
        do {
            return try BinaryFile.read(path)
        } catch {
            throw ExchangeError(error.description)
        }
    }

    private static func inflate(_ bytes: [UInt8], in path: String) throws -> [UInt8] {
        switch Gzip.decompress(bytes, limit: maxFileBytes) {
        case .success(let inflated): return inflated
        case .failure(let failure): throw ExchangeError("\(path): \(failure.reason)")
        }
    }

    /// The training pair, and the held-out (`t10k`) pair where there is one, from files by name.
    static func idx(_ files: [String: [UInt8]], in path: String) throws -> [Digit] {
        func pair(_ prefix: String, training: Bool) throws -> [Digit]? {
            let imagesName = files.keys.sorted().first { $0.hasPrefix("\(prefix)-images-idx3-ubyte") }
            let labelsName = files.keys.sorted().first { $0.hasPrefix("\(prefix)-labels-idx1-ubyte") }
            guard let imagesName else {
                if let labelsName { throw ExchangeError("\(path) has \(labelsName) but no \(prefix)-images-idx3-ubyte to go with it") }
                return nil
            }
            guard let labelsName else { throw ExchangeError("\(path) has \(imagesName) but no \(prefix)-labels-idx1-ubyte to go with it") }
            let images = try parse(files[imagesName]!, dimensions: 3, name: imagesName, in: path)
            let labels = try parse(files[labelsName]!, dimensions: 1, name: labelsName, in: path)
            guard images.dimensions[1] == 28, images.dimensions[2] == 28 else {
                throw ExchangeError(
                    "\(imagesName) in \(path) holds \(images.dimensions[1])x\(images.dimensions[2]) images; digits are 28x28")
            }
            guard images.dimensions[0] == labels.dimensions[0] else {
                throw ExchangeError(
                    "\(path) has \(images.dimensions[0]) images in \(imagesName) but \(labels.dimensions[0]) labels in \(labelsName)")
            }
            return try (0..<labels.dimensions[0]).map { index in
                guard labels.bytes[index] <= 9 else {
                    throw ExchangeError("label \(index) in \(labelsName) is \(labels.bytes[index]), not 0-9")
                }
                return Digit(
                    pixels: Array(images.bytes[(index * 784)..<((index + 1) * 784)]), label: Int(labels.bytes[index]),
                    inTrainingSet: training)
            }
        }
        guard let training = try pair("train", training: true) else {
            throw ExchangeError("\(path) has no train-images-idx3-ubyte(.gz) and train-labels-idx1-ubyte(.gz)")
        }
        return training + (try pair("t10k", training: false) ?? [])
    }

    private static func parse(_ stored: [UInt8], dimensions: Int, name: String, in path: String) throws -> IDXFile {
        let bytes = Gzip.isCompressed(stored) ? try inflate(stored, in: "\(path): \(name)") : stored
        do {
            return try IDXFile(parsing: bytes, dimensionCount: dimensions)
        } catch {
            throw ExchangeError("\(name) in \(path): \(error.description)")
        }
    }

    /// A CSV with a header naming `label` and `pixel0` to `pixel783`, and perhaps `set`.
    static func csv(_ bytes: [UInt8], in path: String) throws -> [Digit] {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).makeIterator()
        guard let headerLine = lines.next() else { throw ExchangeError("\(path) is empty") }
        let header = fields(headerLine).map { String(decoding: $0, as: UTF8.self) }
        guard let labelColumn = header.firstIndex(of: "label") else {
            throw ExchangeError("\(path)'s first line names no label column (expected label,pixel0,…,pixel783)")
        }
        let pixelColumns = try (0..<784).map { pixel in
            guard let column = header.firstIndex(of: "pixel\(pixel)") else {
                throw ExchangeError("\(path)'s first line names no pixel\(pixel) column")
            }
            return column
        }
        let setColumn = header.firstIndex(of: "set")
        var digits: [Digit] = []
        var lineNumber = 1
        while let line = lines.next() {
            lineNumber += 1
            let values = fields(line)
            guard values.count == header.count else {
                throw ExchangeError("line \(lineNumber) of \(path) has \(values.count) fields, the header \(header.count)")
            }
            guard let label = number(values[labelColumn]), (0...9).contains(label) else {
                throw ExchangeError(
                    "line \(lineNumber) of \(path): the label is \(String(decoding: values[labelColumn], as: UTF8.self)), not 0-9")
            }
            let pixels = try pixelColumns.map { column in
                guard let value = number(values[column]), (0...255).contains(value) else {
                    throw ExchangeError(
                        "line \(lineNumber) of \(path): \(header[column]) is \(String(decoding: values[column], as: UTF8.self)), not 0-255")
                }
                return UInt8(value)
            }
            var inTrainingSet: Bool?
            if let setColumn {
                switch String(decoding: values[setColumn], as: UTF8.self) {
                case "training": inTrainingSet = true
                case "held-out": inTrainingSet = false
                case let other: throw ExchangeError("line \(lineNumber) of \(path): the set is \(other), not training or held-out")
                }
            }
            digits.append(Digit(pixels: pixels, label: label, inTrainingSet: inTrainingSet))
        }
        return digits
    }

    private static func fields(_ line: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        return trimmed.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
    }

    private static func number(_ field: ArraySlice<UInt8>) -> Int? {
        guard (1...3).contains(field.count), field.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return field.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    /// Every PNG under `folder`, in the order of their paths, labelled by its folder or name.
    static func pngs(in folder: String) throws -> [Digit] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { throw ExchangeError("\(folder) cannot be read") }
        let paths = walker.compactMap { $0 as? String }.filter { $0.lowercased().hasSuffix(".png") }.sorted()
        guard !paths.isEmpty else {
            throw ExchangeError("\(folder) has no IDX files (train-images-idx3-ubyte…) and no PNGs in folders 0-9 or named 7_….png")
        }
        return try paths.map { relative in
            let parent = ((relative as NSString).deletingLastPathComponent as NSString).lastPathComponent
            let name = (relative as NSString).lastPathComponent
            let label: Int
            if parent.count == 1, let digit = Int(parent) {
                label = digit
            } else if let first = name.first, let digit = first.wholeNumberValue, first.isASCII,
                name.dropFirst().first.map({ "_-. ".contains($0) }) == true
            {
                label = digit
            } else {
                throw ExchangeError(
                    "\(relative) in \(folder) has no label: put it in a folder 0-9, or start its name with the digit (7_name.png)")
            }
            let path = (folder as NSString).appendingPathComponent(relative)
            do {
                let digit = try DigitNormaliser.normalise(png: try readFile(path))
                return Digit(pixels: digit.bytes, label: label, inTrainingSet: nil)
            } catch let error as DrawingError {
                throw ExchangeError("\(path): \(error)")
            }
        }
    }

    /// Stores `digits` as people's digits given by `contributor`, in one transaction: all of
    /// them or, on an error, none. Returns how many went to training and how many were held out.
    static func store(_ digits: [Digit], contributor: String, on database: any Database) async throws -> (training: Int, heldOut: Int) {
        try await database.writeTransaction(locking: .peoplesDigits) { database in
            let earlier = try await DigitStore.count(from: .person, on: database)
            let rows = digits.enumerated().map { index, digit in
                DigitStore.NewRow(
                    pixels: digit.pixels, label: digit.label,
                    inTrainingSet: digit.inTrainingSet ?? DigitStore.goesToTraining(after: earlier + index))
            }
            try await DigitStore.insertInOrder(rows, source: .person, contributor: contributor, on: database)
            let training = rows.filter(\.inTrainingSet).count
            return (training, digits.count - training)
        }
    }

    /// The contributor an import's digits are stored under: `import-` and the time, so that
    /// an admin lists and deletes one import as one contributor. An issued id never starts so.
    static func newContributor(at date: Date = Date()) -> String {
        let stamp = ISO8601DateFormatter.string(
            from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withYear, .withMonth, .withDay, .withTime, .withTimeZone])
        return importPrefix + stamp.replacingOccurrences(of: ":", with: "") + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
    }

    static let importPrefix = "import-"
}
