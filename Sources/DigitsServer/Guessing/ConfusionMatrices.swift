import Fluent
import Foundation
import NeuralNetwork
import SQLKit
import Synchronization
import Vapor

/// What one model version gets wrong on people's held-out digits: a 10x10 matrix of the digit
/// people drew (rows) against the digit the version read (columns), and which digits fall in
/// each cell, so that the page can show the misread drawings.
///
/// Held-out digits are never trained on, so every version can be measured on all of them as
/// they are now. A matrix is made on a thread of its own, one at a time per server, and kept
/// for the last few versions asked for until people's held-out digits change: reading 4,000
/// held-out digits and the network takes tens of milliseconds, and a page asks once per
/// version it shows.
final class ConfusionMatrices: Sendable {
    /// One version's matrix.
    struct Matrix: Sendable {
        let version: Int
        /// `counts[label][read]`.
        let counts: [[Int]]
        /// The ids of the digits in each cell, newest first.
        let cells: [[[UUID]]]
        var heldOut: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
        var correct: Int { (0..<10).reduce(0) { $0 + counts[$1][$1] } }
    }

    /// Held-out digits as the matrix reads them.
    private struct HeldOut: Sendable {
        let ids: [UUID]
        let pixels: [UInt8]
        let labels: [UInt8]
    }

    static let kept = 8
    private let database: any Database
    private let live: LiveModel
    private let cache = Mutex<[(key: String, matrix: Matrix)]>([])
    /// One matrix made at a time.
    private let turn = AsyncTurn()

    init(database: any Database, live: LiveModel) {
        self.database = database
        self.live = live
    }

    /// The matrix of `version`: 404 for a version that does not exist, 409 for one without a network.
    func matrix(of version: Int) async throws -> Matrix {
        let state = try await heldOutState()
        let key = "\(version) \(state)"
        if let kept = cache.withLock({ $0.first { $0.key == key }?.matrix }) { return kept }
        return try await turn.run {
            if let kept = self.cache.withLock({ $0.first { $0.key == key }?.matrix }) { return kept }
            let network = try await self.network(of: version)
            let heldOut = try await self.heldOutDigits()
            let matrix = await BackgroundThread.run(named: "digits-confusion") {
                Self.matrix(of: network, version: version, on: heldOut)
            }
            self.cache.withLock { cache in
                cache.removeAll { $0.key == key }
                cache.insert((key, matrix), at: 0)
                if cache.count > Self.kept { cache.removeLast(cache.count - Self.kept) }
            }
            return matrix
        }
    }

    private static func matrix(of network: Network, version: Int, on heldOut: HeldOut) -> Matrix {
        let samples = network.input.prepare(Samples(greyLevels: heldOut.pixels, inputSize: 784, labels: heldOut.labels))
        let reads = network.predictions(for: samples)
        var counts = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
        var cells = [[[UUID]]](repeating: [[UUID]](repeating: [], count: 10), count: 10)
        // Newest first: the query reads them oldest first.
        for index in heldOut.ids.indices.reversed() {
            let (label, read) = (Int(heldOut.labels[index]), reads[index])
            counts[label][read] += 1
            cells[label][read].append(heldOut.ids[index])
        }
        return Matrix(version: version, counts: counts, cells: cells)
    }

    private func network(of version: Int) async throws -> Network {
        if let current = live.current(), current.version == version { return current.network }
        return try await ModelVersions.storedNetwork(of: version, on: database).1
    }

    /// What changes when people's held-out digits do: their count and the newest.
    private func heldOutState() async throws -> String {
        let sql = try database.sql()
        let person = SQLLiteral.string(DigitSource.person.rawValue)
        let row = try await sql.raw(
            "SELECT COUNT(*) AS total, MAX(created_at) AS newest FROM digits WHERE source = \(person) AND in_training_set = \(bind: false)"
        ).first()
        let total = try row?.decode(column: "total", as: Int.self) ?? 0
        let newest = (try? row?.decode(column: "newest", as: Date?.self))?.timeIntervalSince1970 ?? 0
        return "\(total) \(newest)"
    }

    private func heldOutDigits() async throws -> HeldOut {
        let records = try await DigitRecord.query(on: database).filter(\.$source == .person).filter(\.$inTrainingSet == false)
            .field(\.$id).field(\.$pixels).field(\.$label).sort(\.$createdAt).sort(\.$id).all()
        let usable = records.filter { $0.pixels.count == 784 && (0...9).contains($0.label) }
        return HeldOut(
            ids: usable.compactMap(\.id), pixels: usable.flatMap { Array($0.pixels) }, labels: usable.map { UInt8($0.label) })
    }
}
