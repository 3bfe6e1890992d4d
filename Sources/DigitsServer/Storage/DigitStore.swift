import Fluent
import Foundation
import NeuralNetwork
import SQLKit
import Vapor
import DigitImaging

/// People's digits into the database, and digits out of it in bulk as training samples.
enum DigitStore {
    /// Every `heldOutEvery`-th person's digit is held out from training, so accuracy on
    /// people's own drawings can be measured.
    static let heldOutEvery = 5

    /// Who gave a digit (`Contributors`).
    struct Giver: Sendable {
        let contributor: String
        let addressHash: String
    }

    /// What storing a digit did.
    struct Stored: Sendable {
        let record: DigitRecord
        /// True when the digit had been stored before under the same idempotency key.
        let isReplay: Bool
        /// How many more verified digits start the next retraining, counted in the same transaction.
        let digitsUntilRetraining: Int
    }

    /// Stores a person's verified digit, or finds the one stored earlier under `key`.
    ///
    /// Counting and inserting in one transaction, under `WriteLock.peoplesDigits`, gives
    /// concurrent stores distinct positions (and so the right held-out share), on PostgreSQL
    /// too, whose READ COMMITTED would let two count the same; a key used before returns that digit, or 422 when
    /// it came with a different drawing or label.
    ///
    /// `limit` takes the client's token in the same transaction (one statement more, where a
    /// transaction of its own cost stores 2.9x their p50); over the limit nothing is stored and
    /// the 429 says when to try again. A replay takes no token.
    ///
    /// With a `giver`, the client's address bucket and the contributor's are both taken (a new
    /// contributor id costs nothing; an address does).
    static func store(
        _ digit: NormalisedDigit, label: Int, guessed: Int, key: String?, every: Int, giver: Giver? = nil,
        limit: (RateLimiter, client: String)? = nil, on database: any Database
    ) async throws -> Stored {
        do {
            return try await database.writeTransaction(locking: .peoplesDigits) { database in
                if let key, let earlier = try await replay(key, digit: digit, label: label, every: every, on: database) { return earlier }
                if let (limiter, client) = limit {
                    try await limiter.takeOrRefuse(for: client, in: database)
                    if let giver {
                        try await limiter.takeOrRefuse(for: "contributor:\(giver.contributor)", who: "this contributor", in: database)
                    }
                }
                let earlier = try await count(from: .person, on: database)
                let record = DigitRecord(
                    pixels: Data(digit.bytes), label: label, inTrainingSet: (earlier + 1) % heldOutEvery != 0, source: .person,
                    guessedLabel: guessed, idempotencyKey: key, contributor: giver?.contributor, clientHash: giver?.addressHash)
                try await record.create(on: database)
                return Stored(
                    record: record, isReplay: false,
                    digitsUntilRetraining: try await ModelVersions.digitsUntilRetraining(every: every, on: database))
            }
        } catch {
            // Two retries with one key at once: the unique index let one in; this one replays it.
            if let key, let earlier = try? await replay(key, digit: digit, label: label, every: every, on: database) { return earlier }
            throw error
        }
    }

    private static func replay(_ key: String, digit: NormalisedDigit, label: Int, every: Int, on database: any Database) async throws
        -> Stored?
    {
        guard let earlier = try await DigitRecord.query(on: database).filter(\.$idempotencyKey == key).first() else { return nil }
        guard earlier.label == label, earlier.pixels == Data(digit.bytes) else {
            throw Abort(
                .unprocessableEntity,
                reason:
                    "this Idempotency-Key was already used for a different digit (label \(earlier.label)); send a new key with each new digit"
            )
        }
        return Stored(
            record: earlier, isReplay: true,
            digitsUntilRetraining: try await ModelVersions.digitsUntilRetraining(every: every, on: database))
    }

    /// Every digit from `source`, as network inputs (pixels x/255); for people's digits,
    /// those in the training set or those held out.
    static func samples(from source: DigitSource, inTrainingSet: Bool? = nil, on database: any Database) async throws -> Samples {
        guard let sql = database as? any SQLDatabase else { throw Abort(.internalServerError, reason: "the database does not speak SQL") }
        // Fluent would build a model object per row; 50,000 rows read faster as two columns,
        // in a fixed order (the order stored), so a seed reproduces a training run.
        var query = sql.select().column("pixels").column("label")
        if let inTrainingSet { query = query.where("in_training_set", .equal, inTrainingSet) }
        let rows = try await inStoredOrder(query, from: source, on: sql).all()
        // Turning 50,000 rows into 39 million floats takes a while: off the request threads.
        return try await BackgroundThread.run(named: "digits-reading") { samples(from: rows) }.get()
    }

    /// `query` over the digits from `source`, in the order they were stored: SQLite's rowid;
    /// PostgreSQL has no such column, so creation time, then id. The source as a literal, not a
    /// bound string: PostgreSQL keeps it in an enum type that a text parameter does not compare
    /// with, while a quoted literal takes the column's type.
    private static func inStoredOrder(_ query: SQLSelectBuilder, from source: DigitSource, on sql: any SQLDatabase) -> SQLSelectBuilder {
        let query = query.from(DigitRecord.schema).where(SQLColumn("source"), .equal, SQLLiteral.string(source.rawValue))
        return sql.dialect.name == "sqlite" ? query.orderBy("rowid") : query.orderBy("created_at").orderBy("id")
    }

    /// Every person's digit with who gave it and what the model guessed, in the order they
    /// were stored (rows with the wrong size or label skipped).
    static func peopleDigits(on database: any Database) async throws -> [PersonDigit] {
        guard let sql = database as? any SQLDatabase else { throw Abort(.internalServerError, reason: "the database does not speak SQL") }
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

    /// A person's digit as an export writes it.
    struct StoredDigit: Sendable, Equatable {
        let pixels: [UInt8]
        let label: Int
        let inTrainingSet: Bool
    }

    /// Where a digit is in the order people's digits were stored: SQLite's rowid, or on
    /// PostgreSQL the creation time in microseconds and the id.
    enum StoredPosition: Sendable, Equatable {
        case row(Int)
        case time(Int64, UUID)
    }

    /// Up to `limit` of people's digits (those in the training set or held out, or both when
    /// nil) stored after `after` and no later than `through`, in stored order, with the
    /// position of the last. Pages by position, not offset, so that reading 20,000 digits a
    /// thousand at a time costs 20 short queries, not a quadratic scan.
    static func peoplePage(
        inTrainingSet: Bool?, after: StoredPosition?, through: StoredPosition, limit: Int, on database: any Database
    ) async throws -> (digits: [StoredDigit], last: StoredPosition?) {
        guard let sql = database as? any SQLDatabase else { throw Abort(.internalServerError, reason: "the database does not speak SQL") }
        let isSQLite = sql.dialect.name == "sqlite"
        var query = inStoredOrder(
            sql.select().columns("pixels", "label", "in_training_set").column(SQLRaw(isSQLite ? sqlitePosition : postgresPosition)),
            from: .person, on: sql)
        if let inTrainingSet { query = query.where("in_training_set", .equal, inTrainingSet) }
        let key = SQLRaw(isSQLite ? "rowid" : "(\(postgresMicroseconds), id)")
        if let after { query = query.where(key, .greaterThan, positionValue(after)) }
        let rows = try await query.where(key, .lessThanOrEqual, positionValue(through)).limit(limit).all()
        let digits = try rows.map { row in
            StoredDigit(
                pixels: Array(try row.decode(column: "pixels", as: Data.self)), label: try row.decode(column: "label", as: Int.self),
                inTrainingSet: try row.decode(column: "in_training_set", as: Bool.self))
        }
        return (digits, try rows.last.map { try position(of: $0, isSQLite: isSQLite) })
    }

    /// A digit to insert in bulk.
    struct NewRow: Sendable {
        let pixels: [UInt8]
        let label: Int
        let inTrainingSet: Bool
    }

    /// Inserts `rows` in their order, a thousand to a statement, inside the caller's transaction.
    ///
    /// Written with SQL rather than Fluent's batch create, which stamps each row's creation
    /// time in a task of its own, out of order: PostgreSQL orders digits by that time (it has no
    /// rowid), so here each row is a microsecond after the one before, and the order inserted is
    /// the order read, as training from a seed needs. Returns the time after the last row's, for
    /// the next call to start from.
    @discardableResult
    static func insertInOrder(
        _ rows: [NewRow], source: DigitSource, contributor: String? = nil, from start: Date = Date(), on database: any Database
    ) async throws -> Date {
        guard let sql = database as? any SQLDatabase else { throw Abort(.internalServerError, reason: "the database does not speak SQL") }
        let startMicroseconds = wholeMicroseconds(start)
        for first in stride(from: 0, to: rows.count, by: 1_000) {
            var insert = sql.insert(into: DigitRecord.schema)
                .columns("id", "pixels", "label", "in_training_set", "source", "created_at", "contributor")
            for index in first..<min(first + 1_000, rows.count) {
                let row = rows[index]
                // The source as a literal: PostgreSQL keeps it in an enum type a text parameter is not.
                insert = insert.values([
                    SQLBind(UUID()), SQLBind(Data(row.pixels)), SQLBind(row.label), SQLBind(row.inTrainingSet),
                    SQLLiteral.string(source.rawValue), SQLBind(time(ofMicrosecond: startMicroseconds + Double(index))),
                    SQLBind(contributor),
                ])
            }
            try await insert.run()
        }
        return time(ofMicrosecond: startMicroseconds + Double(rows.count))
    }

    // Each row's creation time a quarter into a whole microsecond of its own. PostgresNIO
    // truncates a Date to microseconds, and a Date (a Double of seconds since 2001) holds today's
    // times to about 0.12 µs, so `start + index µs` put neighbours into one microsecond whenever
    // start fell near a microsecond's edge (32 of 300 simulated imports of 2,500, hundreds of
    // rows each); their order then fell to their random ids (seen in CI: an export imported
    // again did not export the same bytes).
    // A quarter in, neither truncating nor rounding can move a time to another microsecond.
    static let postgresEpoch = Date(timeIntervalSince1970: 946_684_800)

    /// The whole microseconds since PostgreSQL's epoch at or before `date`.
    static func wholeMicroseconds(_ date: Date) -> Double { (date.timeIntervalSince(postgresEpoch) * 1e6).rounded(.down) }

    /// A time a quarter into `microsecond` (whole microseconds since PostgreSQL's epoch).
    static func time(ofMicrosecond microsecond: Double) -> Date { Date(timeInterval: (microsecond + 0.25) / 1e6, since: postgresEpoch) }

    /// How many of people's digits in the training set (or held out) were stored no later than `through`.
    static func peopleCount(inTrainingSet: Bool, through: StoredPosition, on database: any Database) async throws -> Int {
        guard let sql = database as? any SQLDatabase else { throw Abort(.internalServerError, reason: "the database does not speak SQL") }
        let key = SQLRaw(sql.dialect.name == "sqlite" ? "rowid" : "(\(postgresMicroseconds), id)")
        let row = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "total").from(DigitRecord.schema)
            .where(SQLColumn("source"), .equal, SQLLiteral.string(DigitSource.person.rawValue))
            .where("in_training_set", .equal, inTrainingSet).where(key, .lessThanOrEqual, positionValue(through)).first()
        return try row?.decode(column: "total", as: Int.self) ?? 0
    }

    /// The position of the person's digit stored last, nil when there is none.
    static func lastPersonPosition(on database: any Database) async throws -> StoredPosition? {
        guard let sql = database as? any SQLDatabase else { throw Abort(.internalServerError, reason: "the database does not speak SQL") }
        let isSQLite = sql.dialect.name == "sqlite"
        let query = sql.select().column(SQLRaw(isSQLite ? sqlitePosition : postgresPosition)).from(DigitRecord.schema)
            .where(SQLColumn("source"), .equal, SQLLiteral.string(DigitSource.person.rawValue))
        let last = isSQLite ? query.orderBy("rowid", .descending) : query.orderBy("created_at", .descending).orderBy("id", .descending)
        return try await last.limit(1).first().map { try position(of: $0, isSQLite: isSQLite) }
    }

    // The time as whole microseconds, compared exactly (a Date would round).
    private static let postgresMicroseconds = "CAST(EXTRACT(EPOCH FROM created_at) * 1000000 AS BIGINT)"
    private static let postgresPosition = "\(postgresMicroseconds) AS position_time, id AS position_id"
    private static let sqlitePosition = "rowid AS position_row"

    private static func positionValue(_ position: StoredPosition) -> SQLGroupExpression {
        switch position {
        case .row(let row): SQLGroupExpression([SQLBind(row)])
        case .time(let time, let id): SQLGroupExpression([SQLBind(time), SQLBind(id)])
        }
    }

    private static func position(of row: any SQLRow, isSQLite: Bool) throws -> StoredPosition {
        isSQLite
            ? .row(try row.decode(column: "position_row", as: Int.self))
            : .time(try row.decode(column: "position_time", as: Int64.self), try row.decode(column: "position_id", as: UUID.self))
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
