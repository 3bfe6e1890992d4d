import Fluent
import Vapor

/// A contributor's own digits, for the person who gave them: the page by its cookie, an API
/// client by its `Digits-Contributor` header. Nobody reaches another's digits this way: the id
/// is signed (`Contributors`), a forged or altered one is refused (400), a digit that is not the
/// caller's answers 404 as one that does not exist would, and a foreign page can neither send the
/// cookie (SameSite=Strict) nor a deletion (`CrossSiteGuard`).
///
/// - `GET /api/my/digits?page=1&per=20`: the caller's digits, newest first (none without an id).
/// - `DELETE /api/my/digits/:id`: one of them; the next retraining learns without it.
/// - `DELETE /api/my/digits`: all of them.
struct MyDigitsController: RouteCollection {
    let contributors: Contributors

    func boot(routes: any RoutesBuilder) throws {
        routes.get("api", "my", "digits", use: list)
        routes.delete("api", "my", "digits", ":id", use: deleteOne)
        routes.delete("api", "my", "digits", use: deleteAll)
    }

    @Sendable func list(request: Request) async throws -> PersonDigitPage {
        // No id: an empty page, through the same query (a contributor no row has).
        let id = try contributors.known(request) ?? ""
        return try await DigitController.page(of: Self.theirs(id, on: request.db), for: request)
    }

    @Sendable func deleteOne(request: Request) async throws -> HTTPStatus {
        guard let digit = request.parameters.get("id", as: UUID.self) else {
            throw Abort(.badRequest, reason: "the id must be a UUID, like 3f2b8c1e-6d4a-4e8b-9c1f-2a7d5e0b9c3d")
        }
        let id = try contributors.known(request) ?? ""
        let deleted = try await DigitStore.delete({ Self.theirs(id, on: $0).filter(\.$id == digit) }, on: request.db)
        guard deleted > 0 else { throw Abort(.notFound, reason: "you have no digit \(digit)") }
        request.logger.notice("digit \(digit) deleted by the contributor who gave it")
        return .noContent
    }

    @Sendable func deleteAll(request: Request) async throws -> ContributorDeletion {
        guard let id = try contributors.known(request) else {
            throw Abort(.notFound, reason: "you have no digits stored: this browser (or client) has no contributor id yet")
        }
        let deleted = try await DigitStore.delete({ Self.theirs(id, on: $0) }, on: request.db)
        guard deleted > 0 else { throw Abort(.notFound, reason: "you have no digits stored") }
        // The id is a bearer credential: the log names it only in part.
        request.logger.notice("\(deleted) digits of contributor \(id.prefix(6))… deleted by that contributor")
        return ContributorDeletion(contributor: id, deleted: deleted)
    }

    private static func theirs(_ id: String, on database: any Database) -> QueryBuilder<DigitRecord> {
        DigitRecord.query(on: database).filter(\.$source == .person).filter(\.$contributor == id)
    }
}
