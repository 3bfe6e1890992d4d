import Fluent
import Vapor

/// `GET /api/models/:version/network`: a version's network as its model file (network2's JSON:
/// `sizes`, `weights[l]` as `[sizes[l+1]][sizes[l]]`, `biases`, `cost`), for the page to draw
/// each hidden neuron's incoming weights. A version never changes, so the answer is cacheable
/// by the browser and any proxy, and a client that has it gets 304 for its ETag (the row's id,
/// which a database made anew would not reuse for the same version number).
struct NetworkController: RouteCollection {
    /// A day: long enough that a page fetches a version's weights once, short enough that a
    /// server whose database was made anew is not shadowed for long by a proxy's copy.
    static let maxAgeSeconds = 86_400

    func boot(routes: any RoutesBuilder) throws {
        routes.get("api", "models", ":version", "network", use: network)
    }

    @Sendable func network(request: Request) async throws -> Response {
        let version = try request.boundedParameter("version", in: RequestBounds.version)
        guard let record = try await ModelVersionRecord.query(on: request.db).filter(\.$version == version).first() else {
            throw Abort(.notFound, reason: "there is no model version \(version)")
        }
        guard !record.isTraining, !record.modelFile.isEmpty else {
            throw Abort(.conflict, reason: "version \(version) has no trained network (\(record.outcome?.rawValue ?? "training"))")
        }
        let tag = "\"\(version)-\(record.id?.uuidString ?? "")\""
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=\(Self.maxAgeSeconds)")
        headers.replaceOrAdd(name: .eTag, value: tag)
        if request.headers.first(name: .ifNoneMatch) == tag { return Response(status: .notModified, headers: headers) }
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(string: record.modelFile))
    }
}
