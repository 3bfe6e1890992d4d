import Synchronization
import Vapor

/// `GET /api/digits/export?format=idx|csv`: people's digits, with labels and sets, as a file
/// (`PeopleDigitsExport`). Admin only unless the server was started with `--export anyone`.
/// At most two exports are made at once on a server (an IDX export compresses every digit);
/// a third gets 503 at once.
struct ExportController: RouteCollection {
    let admin: AdminGuard
    let openToAnyone: Bool
    let slots = ExportSlots()

    func boot(routes: any RoutesBuilder) throws {
        (openToAnyone ? routes : routes.grouped(admin)).get("api", "digits", "export", use: export)
    }

    @Sendable func export(request: Request) async throws -> Response {
        let text = request.query[String.self, at: "format"] ?? "idx"
        guard let format = ExportFormat(rawValue: text) else {
            throw Abort(.badRequest, reason: "format must be idx (MNIST's four files in a tar) or csv, got \(text.prefix(40))")
        }
        guard slots.take() else {
            throw Abort(
                .serviceUnavailable, headers: ["Retry-After": "5"], reason: "two exports are being made already; try again in a few seconds"
            )
        }
        let response = Response(status: .ok)
        response.headers.replaceOrAdd(name: .contentType, value: format.contentType)
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(format.fileName)\"")
        switch format {
        case .idx:
            // Made whole before the first byte is sent (a tar entry starts with its size), so
            // a failure is an error response, not a cut-off file.
            defer { slots.give() }
            response.body = .init(buffer: ByteBuffer(bytes: try await PeopleDigitsExport.idxArchive(from: request.db)))
        case .csv:
            let (database, logger, slots) = (request.db, request.logger, slots)
            response.body = .init(asyncStream: { writer in
                defer { slots.give() }
                do {
                    try await PeopleDigitsExport.write(.csv, from: database) { try await writer.writeBuffer(ByteBuffer(bytes: $0)) }
                    try await writer.write(.end)
                } catch {
                    logger.error("an export of people's digits stopped: \(error)")
                    try? await writer.write(.error(error))
                }
            })
        }
        return response
    }
}

/// How many exports are being made on this server.
final class ExportSlots: Sendable {
    private let taken = Mutex(0)

    /// Takes a slot when one is free.
    func take() -> Bool {
        taken.withLock { count in
            guard count < ExportController.atOnce else { return false }
            count += 1
            return true
        }
    }

    func give() { taken.withLock { $0 -= 1 } }
}

extension ExportController {
    static let atOnce = 2
}
