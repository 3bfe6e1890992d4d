import DigitImaging
import Fluent
import Vapor

/// People's verified digits.
///
/// - `POST /api/digits`: store a digit with its label (rate-limited per client).
/// - `GET /api/digits?page=1&per=20`: people's digits, newest first.
/// - `DELETE /api/digits/:id` (admin): remove one, say a drawing with a wrong label.
struct DigitController: RouteCollection {
    let live: LiveModel
    let retrainer: Retrainer
    let policy: RetrainingPolicy
    let admin: AdminGuard
    let rateLimiter: RateLimiter?
    let metrics: ServerMetrics
    /// Every `heldOutEvery`-th person's digit is held out from training, so accuracy on
    /// people's own drawings can be measured.
    static let heldOutEvery = 5

    func boot(routes: any RoutesBuilder) throws {
        let storing = rateLimiter.map { routes.grouped($0) } ?? routes
        storing.post("api", "digits", use: store)
        routes.get("api", "digits", use: list)
        routes.grouped(admin).delete("api", "digits", ":id", use: delete)
    }

    /// The most digits one page may hold.
    static let maxPerPage = 100

    @Sendable func list(request: Request) async throws -> PersonDigitPage {
        let page = try request.query.get(Int?.self, at: "page") ?? 1
        let per = try request.query.get(Int?.self, at: "per") ?? 20
        guard page >= 1 else { throw Abort(.badRequest, reason: "page must be 1 or more, got \(page)") }
        guard (1...Self.maxPerPage).contains(per) else {
            throw Abort(.badRequest, reason: "per must be from 1 to \(Self.maxPerPage), got \(per)")
        }
        let people = DigitRecord.query(on: request.db).filter(\.$source == .person)
        let total = try await people.copy().count()
        let records = try await people.sort(\.$createdAt, .descending).sort(\.$id, .descending)
            .range(((page - 1) * per)..<(page * per)).all()
        return PersonDigitPage(items: try records.map(Self.response), page: page, per: per, total: total)
    }

    @Sendable func delete(request: Request) async throws -> HTTPStatus {
        guard let id = request.parameters.get("id", as: UUID.self) else { throw Abort(.badRequest, reason: "the id must be a UUID") }
        guard let record = try await DigitRecord.find(id, on: request.db), record.source == .person else {
            throw Abort(.notFound, reason: "there is no person's digit \(id)")
        }
        try await record.delete(on: request.db)
        request.logger.notice("digit \(id) (label \(record.label)) deleted by an admin")
        return .noContent
    }

    static func response(_ record: DigitRecord) throws -> PersonDigitResponse {
        guard record.pixels.count == 28 * 28 else {
            throw Abort(.internalServerError, reason: "digit \(record.id?.uuidString ?? "?") is stored with \(record.pixels.count) bytes, not 784")
        }
        let png = PNGCodec.encodeGrey(Array(record.pixels), width: 28, height: 28)
        return PersonDigitResponse(
            id: try record.requireID(), label: record.label, guessedLabel: record.guessedLabel,
            set: record.set, image: DrawingInput.dataURL(png: png), createdAt: record.createdAt)
    }

    @Sendable func store(request: Request) async throws -> Response {
        let (bytes, label) = try Self.drawingAndLabel(from: request)
        guard (0...9).contains(label) else {
            throw Abort(.unprocessableEntity, reason: "the label must be a digit from 0 to 9, got \(label)")
        }
        let digit = try DrawingInput.normalise(bytes)
        let (network, _) = try live.required()
        let guessed = network.predict(digit.pixels)
        // Counting and inserting in one transaction: concurrent stores get distinct positions.
        let record = try await request.db.writeTransaction { database in
            let earlier = try await DigitStore.count(from: .person, on: database)
            let isTraining = (earlier + 1) % Self.heldOutEvery != 0
            let record = DigitRecord(
                pixels: Data(digit.bytes), label: label, isTraining: isTraining, source: .person, guessedLabel: guessed)
            try await record.create(on: database)
            return record
        }
        metrics.stored(set: record.set)
        let startedVersion = await retrainer.considerRetraining()
        let body = StoredDigitResponse(
            id: try record.requireID(), label: label, guessedLabel: guessed, set: record.set,
            image: digit.pngDataURL, createdAt: record.createdAt,
            digitsUntilRetraining: try await Retrainer.digitsUntilRetraining(every: policy.every, on: request.db),
            retrainingStarted: startedVersion)
        return try await body.encodeResponse(status: .created, for: request)
    }

    /// The drawing and label from JSON (`{"image": base64 PNG or data URL, "label": n}`) or a
    /// multipart form (`image` file, `label` field).
    static func drawingAndLabel(from request: Request) throws -> ([UInt8], Int) {
        // Base64 makes a drawing a third larger.
        if let body = request.body.data, body.readableBytes > DrawingInput.maxBytes * 4 / 3 + 1024 {
            throw Abort(
                .payloadTooLarge, reason: "the request is \(body.readableBytes) bytes; a drawing may have at most \(DrawingInput.maxBytes)")
        }
        guard let type = request.headers.contentType else {
            throw Abort(.unsupportedMediaType, reason: "send JSON {\"image\", \"label\"} or a multipart form with image and label")
        }
        if type == .json {
            let body: StoreDigitRequest
            do {
                body = try request.content.decode(StoreDigitRequest.self)
            } catch {
                throw Abort(.badRequest, reason: "the body must be JSON with \"image\" (a base64 PNG) and \"label\" (0-9)")
            }
            let encoded = body.image.hasPrefix("data:") ? String(body.image.drop { $0 != "," }.dropFirst()) : body.image
            guard let data = Data(base64Encoded: encoded) else { throw Abort(.badRequest, reason: "\"image\" is not base64") }
            return ([UInt8](data), body.label)
        }
        if type.type == "multipart", type.subType == "form-data" {
            let form: DrawingInput.Form
            do {
                form = try request.content.decode(DrawingInput.Form.self)
            } catch {
                throw Abort(.badRequest, reason: "the form needs an image file and a label")
            }
            guard let label = form.label else { throw Abort(.unprocessableEntity, reason: "the form has no label") }
            return (Array(form.image.data.readableBytesView), label)
        }
        throw Abort(.unsupportedMediaType, reason: "\(type.type)/\(type.subType) is not accepted: send JSON or a multipart form")
    }
}
