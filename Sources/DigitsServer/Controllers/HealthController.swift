import Fluent
import SQLKit
import Vapor

/// `GET /health`: 200 when the database answers and a model is loaded, else 503; with the
/// version this server serves, its role and its name (what a trainer's claims carry).
struct HealthController: RouteCollection {
    let model: ServerModel

    func boot(routes: any RoutesBuilder) throws {
        routes.get("health", use: health)
    }

    @Sendable func health(request: Request) async throws -> Response {
        var databaseStatus = "ok"
        do {
            if let sql = request.db as? any SQLDatabase { _ = try await sql.raw("SELECT 1").all() }
        } catch {
            databaseStatus = "unavailable: \(error)"
        }
        let version = model.live.current()?.version
        let healthy = databaseStatus == "ok" && version != nil
        let body = HealthResponse(
            status: healthy ? "ok" : "unavailable", database: databaseStatus, modelVersion: version, role: model.role.rawValue,
            server: model.serverID)
        let response = try await body.encodeResponse(for: request)
        response.status = healthy ? .ok : .serviceUnavailable
        return response
    }
}
