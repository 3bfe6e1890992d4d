import Foundation
import Vapor

/// `GET /openapi.json`: the API's OpenAPI 3.1 document, `Resources/openapi.json`, which a
/// test holds to the routes and responses the server really has.
struct OpenAPIController: RouteCollection {
    let document: ByteBuffer

    init() throws {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources") else {
            throw Abort(.internalServerError, reason: "openapi.json is missing from the server's resources")
        }
        document = ByteBuffer(data: try Data(contentsOf: url))
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("openapi.json", use: show)
    }

    @Sendable func show(request: Request) async throws -> Response {
        Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(buffer: document))
    }
}
