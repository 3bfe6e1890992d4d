import Fluent
import Foundation
import NeuralNetwork
import SQLKit
import Vapor

/// Reads digits out of the database in bulk, as training samples.
enum DigitStore {
    /// Every digit from `source`, as network inputs (pixels x/255); for people's digits,
    /// those in the training set or those held out.
    static func samples(from source: DigitSource, isTraining: Bool? = nil, on database: any Database) async throws -> Samples {
        guard let sql = database as? any SQLDatabase else { throw Abort(.internalServerError, reason: "the database does not speak SQL") }
        // Fluent would build a model object per row; 50,000 rows read faster as two columns,
        // in a fixed order, so a seed reproduces a training run: the order they were stored
        // in SQLite (rowid); PostgreSQL has no such column, so creation time, then id.
        // The source as a literal, not a bound string: PostgreSQL keeps it in an enum type that
        // a text parameter does not compare with, while a quoted literal takes the column's type.
        var query = sql.select().column("pixels").column("label").from(DigitRecord.schema)
            .where(SQLColumn("source"), .equal, SQLLiteral.string(source.rawValue))
        if let isTraining { query = query.where("is_training", .equal, isTraining) }
        query = sql.dialect.name == "sqlite" ? query.orderBy("rowid") : query.orderBy("created_at").orderBy("id")
        let rows = try await query.all()
        // Turning 50,000 rows into 39 million floats takes a while: off the request threads.
        return try await BackgroundThread.run(named: "digits-reading") { samples(from: rows) }.get()
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

    /// How many digits come from `source`.
    static func count(from source: DigitSource, on database: any Database) async throws -> Int {
        try await DigitRecord.query(on: database).filter(\.$source == source).count()
    }
}
