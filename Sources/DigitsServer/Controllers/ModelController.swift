import Fluent
import Vapor

/// The model: what is live, what is training, every version; admins roll back and retrain.
///
/// - `GET /api/model`: the live version, the retraining in progress, digits until the next.
/// - `GET /api/model/events`: the same, pushed as Server-Sent Events (`ModelEvents`).
/// - `GET /api/models`: every version, newest first.
/// - `POST /api/models/:version/live` (admin): make an earlier version live again.
/// - `POST /api/models/:version/approve` and `/discard` (admin): decide on a version held for review.
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
        adminRoutes.post("api", "models", ":version", "approve", use: approve)
        adminRoutes.post("api", "models", ":version", "discard", use: discard)
        adminRoutes.post("api", "model", "retrain", use: retrain)
        adminRoutes.delete("api", "model", "training", use: cancel)
    }

    @Sendable func status(request: Request) async throws -> ModelStatusResponse {
        try await Self.status(of: model, policy: policy, on: request.db)
    }

    /// What `GET /api/model` answers and `/api/model/events` pushes.
    static func status(of model: ServerModel, policy: RetrainingPolicy, on database: any Database) async throws -> ModelStatusResponse {
        // One query for three rows: the live version first, then the one training on any
        // server, then the newest that finished without going live (the page says why it was
        // not used, when it came after the live one). Measured idle: 791 status reads/s with
        // the first two alone, 573/s with a second query for the third.
        let rows = try await ModelVersionRecord.summaries(on: database)
            .group(.or) { $0.filter(\.$isLive == true).filter(\.$isTraining == true).filter(\.$outcome != .promoted) }
            .sort(\.$isLive, .descending).sort(\.$isTraining, .descending).sort(\.$version, .descending).limit(3).all()
        guard let record = rows.first(where: \.isLive) else {
            throw Abort(.serviceUnavailable, reason: "no model is live yet; the first one is still training")
        }
        // This server's own retraining is the freshest; another's is what its trainer last wrote.
        let training = model.retrainer.current ?? rows.first(where: \.isTraining).map(TrainingLease.status(of:))
        let passedOver = rows.first { !$0.isLive && !$0.isTraining && $0.version > record.version }
        return ModelStatusResponse(
            live: ModelVersionResponse(record), training: training, lastNotPromoted: passedOver.map { ModelVersionResponse($0) },
            digitsUntilRetraining: try await ModelVersions.digitsUntilRetraining(every: policy.every, on: database),
            retrainEvery: policy.every)
    }

    /// Every version; for a visitor who names their contributor, which versions learned their digits.
    @Sendable func history(request: Request) async throws -> ModelHistoryResponse {
        let contributor = try model.contributors.known(request)
        let records = try await ModelVersionRecord.summaries(on: request.db).sort(\.$version, .descending).all()
        return ModelHistoryResponse(versions: records.map { ModelVersionResponse($0, contributor: contributor) })
    }

    @Sendable func makeLive(request: Request) async throws -> ModelVersionResponse {
        let version = try request.boundedParameter("version", in: RequestBounds.version)
        let record = try await model.versions.rollBack(to: version)
        request.logger.notice("version \(version) made live by an admin")
        return ModelVersionResponse(record)
    }

    /// A version held for review (`CrowdCheck`) goes live; 409 for one that is not held.
    @Sendable func approve(request: Request) async throws -> ModelVersionResponse {
        let version = try request.boundedParameter("version", in: RequestBounds.version)
        let record = try await model.versions.approve(version)
        request.logger.notice("version \(version), held for review, approved by an admin: it is live")
        return ModelVersionResponse(record)
    }

    /// A version held for review is closed as rejected; 409 for one that is not held.
    @Sendable func discard(request: Request) async throws -> ModelVersionResponse {
        let version = try request.boundedParameter("version", in: RequestBounds.version)
        let record = try await model.versions.discard(version)
        request.logger.notice("version \(version), held for review, discarded by an admin")
        return ModelVersionResponse(record)
    }

    @Sendable func retrain(request: Request) async throws -> Response {
        guard let version = try await model.retrainer.retrainNow() else {
            let training = try await ModelVersionRecord.summaries(on: request.db).filter(\.$isTraining == true).first()
            let running = training.map { "version \($0.version)" } ?? "another"
            throw Abort(.conflict, reason: "a retraining is already running (\(running)); wait for it or cancel it")
        }
        let message =
            model.role.trains
            ? "retraining started: version \(version)" : "retraining asked for: version \(version), for the next trainer to take"
        return try await RetrainingResponse(version: version, message: message)
            .encodeResponse(status: .accepted, for: request)
    }

    @Sendable func cancel(request: Request) async throws -> RetrainingResponse {
        switch try await model.retrainer.cancel() {
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
