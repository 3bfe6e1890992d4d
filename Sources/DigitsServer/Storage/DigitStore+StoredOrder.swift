import Fluent
import Foundation
import NeuralNetwork
import SQLKit
import Vapor

/// The order digits were stored in, and positions in it: what makes a seed reproduce a
/// training run, and what exports page by.
extension DigitStore {
    /// `query` over the digits from `source`, in the order they were stored: SQLite's rowid;
    /// PostgreSQL has no such column, so creation time, then id. The source as a literal, not a
    /// bound string: PostgreSQL keeps it in an enum type that a text parameter does not compare
    /// with, while a quoted literal takes the column's type.
    static func inStoredOrder(_ query: SQLSelectBuilder, from source: DigitSource, on sql: any SQLDatabase) -> SQLSelectBuilder {
        let query = query.from(DigitRecord.schema).where(SQLColumn("source"), .equal, SQLLiteral.string(source.rawValue))
        return sql.dialect.name == "sqlite" ? query.orderBy("rowid") : query.orderBy("created_at").orderBy("id")
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
        let sql = try database.sql()
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
        let sql = try database.sql()
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
    // start fell near a microsecond's edge (in about one import in nine); their order then fell
    // to their random ids (seen in CI: an export imported again did not export the same bytes).
    // A quarter in, neither truncating nor rounding can move a time to another microsecond.
    static let postgresEpoch = Date(timeIntervalSince1970: 946_684_800)

    /// The whole microseconds since PostgreSQL's epoch at or before `date`.
    static func wholeMicroseconds(_ date: Date) -> Double { (date.timeIntervalSince(postgresEpoch) * 1e6).rounded(.down) }

    /// A time a quarter into `microsecond` (whole microseconds since PostgreSQL's epoch).
    static func time(ofMicrosecond microsecond: Double) -> Date { Date(timeInterval: (microsecond + 0.25) / 1e6, since: postgresEpoch) }

    /// How many of people's digits in the training set (or held out) were stored no later than `through`.
    static func peopleCount(inTrainingSet: Bool, through: StoredPosition, on database: any Database) async throws -> Int {
        let sql = try database.sql()
        let key = SQLRaw(sql.dialect.name == "sqlite" ? "rowid" : "(\(postgresMicroseconds), id)")
        let row = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "total").from(DigitRecord.schema)
            .where(SQLColumn("source"), .equal, SQLLiteral.string(DigitSource.person.rawValue))
            .where("in_training_set", .equal, inTrainingSet).where(key, .lessThanOrEqual, positionValue(through)).first()
        return try row?.decode(column: "total", as: Int.self) ?? 0
    }

    /// The position of the person's digit stored last, nil when there is none.
    static func lastPersonPosition(on database: any Database) async throws -> StoredPosition? {
        let sql = try database.sql()
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
}
