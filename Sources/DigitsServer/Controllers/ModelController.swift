import Fluent
import Vapor

/// The model: what is live, what is training, every version; admins roll back and retrain.
///
/// - `GET /api/model`: the live version, the retraining in progress, digits until the next.
/// - `GET /api/models`: every version, newest first.
/// - `POST /api/models/:version/live` (admin): make an earlier version live again.
/// - `POST /api/model/retrain` (admin): start a retraining now.
/// - `DELETE /api/model/training` (admin): cancel the retraining in progress.
struct ModelController: RouteCollection {
    let model: ServerModel
    let policy: RetrainingPolicy
    let admin: AdminGuard

    func boot(routes: any RoutesBuilder) throws {
        routes.get("api", "model", use: status)
        routes.get("api", "models", use: history)
        let adminRoutes = routes.grouped(admin)
        adminRoutes.post("api", "models", ":version", "live", use: makeLive)
        adminRoutes.post("api", "model", "retrain", use: retrain)
        adminRoutes.delete("api", "model", "training", use: cancel)
    }

    @Sendable func status(request: Request) async throws -> ModelStatusResponse {
        guard let record = try await ModelVersions.liveSummary(on: request.db) else {
            throw Abort(.serviceUnavailable, reason: "no model is live yet; the first one is still training")
        }
        return ModelStatusResponse(
            live: ModelVersionResponse(record), training: model.retrainer.current,
            digitsUntilRetraining: try await ModelVersions.digitsUntilRetraining(every: policy.every, on: request.db),
            retrainEvery: policy.every)
    }

    @Sendable func history(request: Request) async throws -> ModelHistoryResponse {
        let records = try await ModelVersionRecord.summaries(on: request.db).sort(\.$version, .descending).all()
        return ModelHistoryResponse(versions: records.map(ModelVersionResponse.init))
    }

    @Sendable func makeLive(request: Request) async throws -> ModelVersionResponse {
        let version = try request.boundedParameter("version", in: RequestBounds.version)
        let record = try await model.versions.rollBack(to: version)
        request.logger.notice("version \(version) made live by an admin")
        return ModelVersionResponse(record)
    }

    @Sendable func retrain(request: Request) async throws -> Response {
        guard let version = try await model.retrainer.retrainNow() else {
            let running = model.retrainer.current.map { "version \($0.version)" } ?? "another"
            throw Abort(.conflict, reason: "a retraining is already running (\(running)); wait for it or cancel it")
        }
        return try await RetrainingResponse(version: version, message: "retraining started: version \(version)")
            .encodeResponse(status: .accepted, for: request)
    }

    @Sendable func cancel(request: Request) async throws -> RetrainingResponse {
        switch await model.retrainer.cancel() {
        case .cancelling(let version):
            return RetrainingResponse(version: version, message: "version \(version) is being cancelled; the live model stays")
        case .tooLate(let version):
            throw Abort(
                .conflict,
                reason:
                    "version \(version) has been judged and is going live; too late to cancel it. Make an earlier version live afterwards if you do not want it"
            )
        case .nothingRunning:
            throw Abort(.notFound, reason: "no retraining is running")
        }
    }
}
