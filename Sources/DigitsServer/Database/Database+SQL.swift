import Fluent
import SQLKit
import Vapor

extension Database {
    /// This database as SQL, for the queries Fluent cannot say (bulk reads, stored order,
    /// counts by group). Both drivers Digits runs on speak SQL; another would be a
    /// programmer's mistake, answered as a 500 that says so.
    func sql() throws -> any SQLDatabase {
        guard let sql = self as? any SQLDatabase else {
            throw Abort(.internalServerError, reason: "the database does not speak SQL (Digits runs on SQLite or PostgreSQL)")
        }
        return sql
    }
}
