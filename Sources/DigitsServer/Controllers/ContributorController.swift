import Fluent
import SQLKit
import Vapor

/// Who gave people's digits, for an admin (`Contributors` issues the ids).
///
/// - `GET /api/contributors?page=1&per=20`: contributors, most recent first, with how many
///   digits each gave and from how many addresses.
/// - `GET /api/contributors/:id/digits?page=1&per=20`: one contributor's digits, newest first.
/// - `DELETE /api/contributors/:id/digits`: all of one contributor's digits, in one call; the
///   next retraining learns without them.
struct ContributorController: RouteCollection {
    let admin: AdminGuard

    func boot(routes: any RoutesBuilder) throws {
        let guarded = routes.grouped(admin)
        guarded.get("api", "contributors", use: list)
        guarded.get("api", "contributors", ":id", "digits", use: digits)
        guarded.delete("api", "contributors", ":id", "digits", use: delete)
    }

    @Sendable func list(request: Request) async throws -> ContributorPage {
        let (page, per) = try request.pageAndPer()
        let sql = try request.db.sql()
        let person = SQLLiteral.string(DigitSource.person.rawValue)
        let total =
            try await sql.raw(
                "SELECT COUNT(DISTINCT contributor) AS total FROM digits WHERE source = \(person) AND contributor IS NOT NULL"
            ).first()?.decode(column: "total", as: Int.self) ?? 0
        let rows = try await sql.raw(
            """
            SELECT contributor, COUNT(*) AS digits, SUM(CASE WHEN in_training_set THEN 0 ELSE 1 END) AS held_out, \
            COUNT(DISTINCT client_hash) AS addresses, MAX(created_at) AS last_at FROM digits \
            WHERE source = \(person) AND contributor IS NOT NULL GROUP BY contributor \
            ORDER BY MAX(created_at) DESC, contributor LIMIT \(bind: per) OFFSET \(bind: (page - 1) * per)
            """
        ).all()
        let items = try rows.map { row in
            ContributorResponse(
                id: try row.decode(column: "contributor", as: String.self), digits: try row.decode(column: "digits", as: Int.self),
                heldOut: try row.decode(column: "held_out", as: Int.self), addresses: try row.decode(column: "addresses", as: Int.self),
                lastAt: try? row.decode(column: "last_at", as: Date.self))
        }
        return ContributorPage(items: items, page: page, per: per, total: total)
    }

    @Sendable func digits(request: Request) async throws -> PersonDigitPage {
        let id = try Self.contributor(in: request)
        return try await DigitController.page(
            of: DigitRecord.query(on: request.db).filter(\.$source == .person).filter(\.$contributor == id), for: request)
    }

    @Sendable func delete(request: Request) async throws -> ContributorDeletion {
        let id = try Self.contributor(in: request)
        let deleted = try await DigitStore.delete({ DigitRecord.query(on: $0).filter(\.$contributor == id) }, on: request.db)
        guard deleted > 0 else { throw Abort(.notFound, reason: "contributor \(id) has no digits stored") }
        // The id is a bearer credential: the log says how many, and whose only in part.
        request.logger.notice("\(deleted) digits of contributor \(id.prefix(6))… deleted by an admin")
        return ContributorDeletion(contributor: id, deleted: deleted)
    }

    /// The id in the path, bounded: at most 64 characters of base64url and a dot.
    private static func contributor(in request: Request) throws -> String {
        guard let id = request.parameters.get("id"), (1...64).contains(id.utf8.count),
            id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") })
        else {
            throw Abort(
                .badRequest, reason: "a contributor id is up to 64 letters, digits, '-', '_' and '.', as GET /api/contributors lists them")
        }
        return id
    }
}

/// One contributor, as an admin sees them.
struct ContributorResponse: Content {
    let id: String
    /// Digits they stored, and how many of those are held out.
    let digits: Int
    let heldOut: Int
    /// How many different addresses they stored from.
    let addresses: Int
    let lastAt: Date?
}

/// `GET /api/contributors`.
struct ContributorPage: Content {
    let items: [ContributorResponse]
    let page: Int
    let per: Int
    let total: Int
}

/// What deleting a contributor's digits did.
struct ContributorDeletion: Content {
    let contributor: String
    let deleted: Int
}
