import Fluent
import Foundation
import Vapor
import MNISTData

/// Fills the digits table with MNIST on first start: 50,000 training, 10,000 validation and
/// 10,000 test digits, in batches inside one transaction, so an interrupted import leaves
/// nothing half-done and the next start simply imports again. Servers starting together
/// import once: the check is repeated inside the transaction, which on PostgreSQL holds
/// `WriteLock.mnistImport` and on SQLite the write lock, so the second finds the first's rows.
enum MNISTImporter {
    static let batchSize = 1_000

    /// Imports MNIST unless the table already holds it; returns the number of rows added.
    @discardableResult
    static func importIfNeeded(from supply: MNISTSupply, on database: any Database, logger: Logger) async throws -> Int {
        let existing = try await DigitStore.count(from: .mnistTest, on: database)
        guard existing == 0 else {
            logger.info("MNIST already imported")
            return 0
        }
        let split = try supply.load(logger)
        let parts: [(MNISTImages, DigitSource, Bool)] = [
            (split.training, .mnistTraining, true), (split.validation, .mnistValidation, false), (split.test, .mnistTest, false),
        ]
        let total = parts.reduce(0) { $0 + $1.0.count }
        logger.info("importing \(total) MNIST digits into the database")
        let started = Date()
        let imported = try await insertOnce(parts, total: total, on: database, logger: logger)
        guard imported else {
            logger.info("MNIST was imported by another server meanwhile")
            return 0
        }
        logger.info("MNIST imported in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        return total
    }

    /// Inserts `parts` unless another server has by the time this one holds the lock; waits
    /// (up to two minutes) while another process on the same SQLite file holds it importing.
    private static func insertOnce(
        _ parts: [(MNISTImages, DigitSource, Bool)], total: Int, on database: any Database, logger: Logger
    ) async throws -> Bool {
        for attempt in 1...120 {
            do {
                return try await insert(parts, total: total, on: database, logger: logger)
            } catch let error as Abort where error.status == .serviceUnavailable && attempt < 120 {
                if attempt == 1 { logger.info("another process holds the database (importing MNIST?); waiting for it") }
                try await Task.sleep(for: .seconds(1))
            }
        }
        return false
    }

    private static func insert(
        _ parts: [(MNISTImages, DigitSource, Bool)], total: Int, on database: any Database, logger: Logger
    ) async throws -> Bool {
        try await database.writeTransaction(locking: .mnistImport) { transaction in
            guard try await DigitStore.count(from: .mnistTest, on: transaction) == 0 else { return false }
            var done = 0
            var next = Date()
            for (images, source, inTrainingSet) in parts {
                for start in stride(from: 0, to: images.count, by: batchSize) {
                    let end = min(start + batchSize, images.count)
                    let rows = (start..<end).map { index in
                        DigitStore.NewRow(
                            pixels: Array(images.image(at: index)), label: Int(images.labels[index]), inTrainingSet: inTrainingSet)
                    }
                    next = try await DigitStore.insertInOrder(rows, source: source, from: next, on: transaction)
                    done += rows.count
                    if done % 10_000 == 0 || done == total { logger.info("imported \(done) of \(total) digits") }
                }
            }
            return true
        }
    }
}
