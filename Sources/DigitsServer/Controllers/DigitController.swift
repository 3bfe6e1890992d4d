import DigitImaging
import Fluent
import Vapor

/// People's verified digits.
///
/// - `POST /api/digits`: store a digit with its label (rate-limited per client).
/// - `GET /api/digits?page=1&per=20`: people's digits, newest first.
/// - `DELETE /api/digits/:id` (admin): remove one, say a drawing with a wrong label.
struct DigitController: RouteCollection {
    let model: ServerModel
    let policy: RetrainingPolicy
    let admin: AdminGuard
    let rateLimiter: RateLimiter?
    let drawings: DrawingWorkers

    func boot(routes: any RoutesBuilder) throws {
        routes.post("api", "digits", use: store)
        routes.get("api", "digits", use: list)
        routes.grouped(admin).delete("api", "digits", ":id", use: delete)
    }

    @Sendable func list(request: Request) async throws -> PersonDigitPage {
        try await Self.page(of: DigitRecord.query(on: request.db).filter(\.$source == .person), for: request)
    }

    /// The page of `digits` that `request`'s `page` and `per` ask for, newest first.
    static func page(of digits: QueryBuilder<DigitRecord>, for request: Request) async throws -> PersonDigitPage {
        let (page, per) = try request.pageAndPer()
        let total = try await digits.copy().count()
        let records = try await digits.sort(\.$createdAt, .descending).sort(\.$id, .descending)
            .range(((page - 1) * per)..<(page * per)).all()
        return PersonDigitPage(items: try records.map(Self.response), page: page, per: per, total: total)
    }

    @Sendable func delete(request: Request) async throws -> HTTPStatus {
        guard let id = request.parameters.get("id", as: UUID.self) else {
            throw Abort(.badRequest, reason: "the id must be a UUID, like 3f2b8c1e-6d4a-4e8b-9c1f-2a7d5e0b9c3d")
        }
        guard let record = try await DigitRecord.find(id, on: request.db), record.source == .person else {
            throw Abort(.notFound, reason: "there is no person's digit \(id)")
        }
        try await record.delete(on: request.db)
        request.logger.notice("digit \(id) (label \(record.label)) deleted by an admin")
        return .noContent
    }

    static func response(_ record: DigitRecord) throws -> PersonDigitResponse {
        guard record.pixels.count == 28 * 28 else {
            throw Abort(
                .internalServerError, reason: "digit \(record.id?.uuidString ?? "?") is stored with \(record.pixels.count) bytes, not 784")
        }
        let png = PNGCodec.encodeGrey(Array(record.pixels), width: 28, height: 28)
        return PersonDigitResponse(
            id: try record.requireID(), label: record.label, guessedLabel: record.guessedLabel,
            set: record.set, image: DrawingInput.dataURL(png: png), createdAt: record.createdAt)
    }

    /// Stores a verified digit. Once the transaction has committed nothing can fail: the
    /// digit is stored, and the response says so.
    @Sendable func store(request: Request) async throws -> Response {
        let drawing = try DrawingInput.drawing(from: request, accepting: [.json, .multipart])
        guard let label = drawing.label else {
            throw Abort(.unprocessableEntity, reason: "the digit has no label: send it with the drawing (\"label\": 0-9)")
        }
        guard (0...9).contains(label) else {
            throw Abort(.unprocessableEntity, reason: "the label must be a digit from 0 to 9, got \(label)")
        }
        let key = try IdempotencyKey.from(request)
        let digit = try await drawings.normalise(drawing.png, client: request.clientAddress, on: request.eventLoop).get()
        let (network, _) = try model.live.required()
        let contributor = try model.contributors.identify(request)
        let giver = DigitStore.Giver(contributor: contributor.id, addressHash: model.contributors.hash(address: request.clientAddress))
        let stored = try await DigitStore.store(
            digit, label: label, guessed: network.predict(network.input.prepare(digit.pixels)), key: key,
            every: policy.every, giver: giver, limit: rateLimiter.map { ($0, client: request.clientAddress) }, on: request.db)
        var startedVersion: Int?
        if !stored.isReplay {
            model.metrics.stored(set: stored.record.set)
            // Counted in the store's own transaction: only a digit that made a retraining due
            // claims one (a write transaction), and on a web server tells the trainer at once.
            if stored.digitsUntilRetraining == 0 {
                startedVersion = await model.retrainer.considerRetraining()
                if !model.role.trains { try? await request.db.notify(.work) }
            }
        }
        let body = StoredDigitResponse(
            id: stored.record.id ?? UUID(), label: label, guessedLabel: stored.record.guessedLabel ?? label, set: stored.record.set,
            image: digit.pngDataURL, createdAt: stored.record.createdAt,
            digitsUntilRetraining: startedVersion == nil ? stored.digitsUntilRetraining : policy.every,
            retrainingStarted: startedVersion)
        let response = Response(status: .created)
        try? response.content.encode(body)
        if stored.isReplay { response.headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true") }
        Contributors.attach(contributor.id, isNew: contributor.isNew, to: response)
        return response
    }
}
