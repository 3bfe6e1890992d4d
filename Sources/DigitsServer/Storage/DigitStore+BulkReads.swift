import Fluent
import Foundation
import NeuralNetwork
import SQLKit
import Vapor

/// Digits out of the database in bulk, as a retraining and the first model read them: two or six
/// columns a row with SQL (Fluent would build a model object per row), in stored order, turned
/// into samples off the request threads.
extension DigitStore {
    /// Every digit from `source`, as network inputs (pixels x/255); for people's digits,
    /// those in the training set or those held out.
    static func samples(from source: DigitSource, inTrainingSet: Bool? = nil, on database: any Database) async throws -> Samples {
        let sql = try database.sql()
        // Fluent would build a model object per row; 50,000 rows read faster as two columns,
        // in a fixed order (the order stored), so a seed reproduces a training run.
        var query = sql.select().column("pixels").column("label")
        if let inTrainingSet { query = query.where("in_training_set", .equal, inTrainingSet) }
        let rows = try await inStoredOrder(query, from: source, on: sql).all()
        // Turning 50,000 rows into 39 million floats takes a while: off the request threads.
        return try await BackgroundThread.run(named: "digits-reading") { samples(from: rows) }.get()
    }

    /// Every person's digit with who gave it and what the model guessed, in the order they
    /// were stored (rows with the wrong size or label skipped).
    static func peopleDigits(on database: any Database) async throws -> [PersonDigit] {
        let sql = try database.sql()
        let rows = try await inStoredOrder(
            sql.select().columns("pixels", "label", "guessed_label", "in_training_set", "contributor", "client_hash"), from: .person,
            on: sql
        ).all()
        return try await BackgroundThread.run(named: "digits-reading") {
            Result {
                try rows.compactMap { row -> PersonDigit? in
                    let pixels = try row.decode(column: "pixels", as: Data.self)
                    let label = try row.decode(column: "label", as: Int.self)
                    guard pixels.count == 784, (0...9).contains(label) else { return nil }
                    return PersonDigit(
                        pixels: Array(pixels), label: label, guessed: try row.decode(column: "guessed_label", as: Int?.self),
                        inTrainingSet: try row.decode(column: "in_training_set", as: Bool.self),
                        contributor: try row.decode(column: "contributor", as: String?.self),
                        addressHash: try row.decode(column: "client_hash", as: String?.self))
                }
            }
        }.get()
    }

    /// Rows of pixels and labels as samples; a row with the wrong size or label is skipped.
    private static func samples(from rows: [any SQLRow]) -> Result<Samples, any Error> {
        Result {
            var inputs = [Float](repeating: 0, count: rows.count * 784)
            var labels: [UInt8] = []
            labels.reserveCapacity(rows.count)
            for row in rows {
                let pixels = try row.decode(column: "pixels", as: Data.self)
                let label = try row.decode(column: "label", as: Int.self)
                guard pixels.count == 784, (0...9).contains(label) else { continue }
                let start = labels.count * 784
                for (offset, value) in pixels.enumerated() { inputs[start + offset] = Float(value) / 255 }
                labels.append(UInt8(label))
            }
            inputs.removeLast(inputs.count - labels.count * 784)
            return Samples(inputSize: 784, inputs: inputs, labels: labels)
        }
    }
}
