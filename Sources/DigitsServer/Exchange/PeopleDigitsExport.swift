import Fluent
import MNISTData
import Vapor

/// The forms people's digits leave the server in.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// MNIST's own four files, gzip'd, in a tar: `train-*` the training set, `t10k-*` the
    /// held-out digits. Every MNIST loader reads them.
    case idx
    /// One line a digit, as Kaggle's MNIST files: `label,pixel0,…,pixel783`, then `set`
    /// (`training` or `held-out`).
    case csv

    var contentType: String { self == .idx ? "application/x-tar" : "text/csv; charset=utf-8" }
    var fileName: String { self == .idx ? "digits-people-idx.tar" : "digits-people.csv" }
}

/// People's digits written out, read from the database a page at a time.
///
/// A CSV streams as it is read: memory stays at one page (1,000 digits). An IDX file starts
/// with its digit count and a tar entry with its size, so each set's images are compressed as
/// they are read and the archive is sent once all four files are made: memory holds the
/// compressed files, about 160 bytes a digit (3 MB for 20,000). Both are read up to the digit
/// stored last when the export began; a digit deleted meanwhile makes the IDX files start again
/// (its counts would be wrong).
enum PeopleDigitsExport {
    static let pageSize = 1_000
    static let trainImages = "train-images-idx3-ubyte.gz"
    static let trainLabels = "train-labels-idx1-ubyte.gz"
    static let heldOutImages = "t10k-images-idx3-ubyte.gz"
    static let heldOutLabels = "t10k-labels-idx1-ubyte.gz"
    static let csvHeader = "label," + (0..<784).map { "pixel\($0)" }.joined(separator: ",") + ",set\n"

    /// Writes the export to `sink`, a piece at a time.
    static func write(
        _ format: ExportFormat, from database: any Database, to sink: @Sendable ([UInt8]) async throws -> Void
    ) async throws {
        switch format {
        case .csv: try await writeCSV(from: database, to: sink)
        case .idx:
            let archive = try await idxArchive(from: database)
            for start in stride(from: 0, to: archive.count, by: 64 << 10) {
                try await sink(Array(archive[start..<min(start + (64 << 10), archive.count)]))
            }
        }
    }

    private static func writeCSV(from database: any Database, to sink: @Sendable ([UInt8]) async throws -> Void) async throws {
        try await sink(Array(csvHeader.utf8))
        guard let through = try await DigitStore.lastPersonPosition(on: database) else { return }
        var after: DigitStore.StoredPosition?
        while true {
            let (digits, last) = try await DigitStore.peoplePage(
                inTrainingSet: nil, after: after, through: through, limit: pageSize, on: database)
            guard let last else { return }
            try await sink(csvLines(digits))
            after = last
        }
    }

    /// The CSV lines of `digits`.
    static func csvLines(_ digits: [DigitStore.StoredDigit]) -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(digits.count * 2_400)
        for digit in digits {
            text += Array(String(digit.label).utf8)
            for pixel in digit.pixels {
                text.append(UInt8(ascii: ","))
                text += Array(String(pixel).utf8)
            }
            text += Array((digit.inTrainingSet ? ",training\n" : ",held-out\n").utf8)
        }
        return text
    }

    /// The tar of the four IDX files.
    static func idxArchive(from database: any Database) async throws -> [UInt8] {
        let through = try await DigitStore.lastPersonPosition(on: database)
        for _ in 1...3 {
            guard let training = try await set(inTrainingSet: true, through: through, on: database),
                let heldOut = try await set(inTrainingSet: false, through: through, on: database)
            else { continue }
            var archive: [UInt8] = []
            for (name, bytes) in [
                (trainImages, training.images), (trainLabels, training.labels), (heldOutImages, heldOut.images),
                (heldOutLabels, heldOut.labels),
            ] {
                archive += TarArchive.header(name: name, size: bytes.count) + bytes + TarArchive.padding(after: bytes.count)
            }
            return archive + TarArchive.end
        }
        throw ExchangeError("people's digits kept changing while they were exported (digits deleted meanwhile); try again")
    }

    /// One set's images and labels as gzip'd IDX files, or nil when its count changed while
    /// it was read.
    private static func set(
        inTrainingSet: Bool, through: DigitStore.StoredPosition?, on database: any Database
    ) async throws -> (images: [UInt8], labels: [UInt8])? {
        let count =
            if let through { try await DigitStore.peopleCount(inTrainingSet: inTrainingSet, through: through, on: database) } else { 0 }
        let images = GzipWriter()
        var compressed = images.write(IDXFile.header(dimensions: [count, 28, 28]))
        var labels = IDXFile.header(dimensions: [count])
        var after: DigitStore.StoredPosition?
        while let through {
            let (digits, last) = try await DigitStore.peoplePage(
                inTrainingSet: inTrainingSet, after: after, through: through, limit: pageSize, on: database)
            guard let last else { break }
            compressed += images.write(digits.flatMap(\.pixels))
            labels += digits.map { UInt8($0.label) }
            after = last
        }
        guard labels.count == 8 + count else { return nil }
        return (compressed + images.finish(), Gzip.compress(labels))
    }
}
