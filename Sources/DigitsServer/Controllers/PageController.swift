import Foundation
import Vapor

/// The drawing page: `GET /` and its scripts and style at `/static/NAME`, from
/// `Resources/Public`, read into memory at start-up. No npm, no CDN: it works offline.
struct PageController: RouteCollection {
    struct Asset {
        let body: ByteBuffer
        let contentType: HTTPMediaType
    }

    let assets: [String: Asset]

    init() throws {
        guard let folder = Bundle.module.url(forResource: "Public", withExtension: nil, subdirectory: "Resources") else {
            throw Abort(.internalServerError, reason: "the page's files are missing from the server's resources")
        }
        var assets: [String: Asset] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let type: HTTPMediaType
            switch (name as NSString).pathExtension {
            case "html": type = .html
            case "css": type = .css
            case "js": type = HTTPMediaType(type: "text", subType: "javascript", parameters: ["charset": "utf-8"])
            case "svg": type = .svg
            case "png": type = .png
            default: continue
            }
            assets[name] = Asset(body: ByteBuffer(data: try Data(contentsOf: folder.appendingPathComponent(name))), contentType: type)
        }
        self.assets = assets
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: page)
        routes.get("static", ":name", use: asset)
    }

    @Sendable func page(request: Request) async throws -> Response {
        try response(for: "index.html")
    }

    @Sendable func asset(request: Request) async throws -> Response {
        guard let name = request.parameters.get("name"), name != "index.html" else { throw Abort(.notFound) }
        return try response(for: name)
    }

    private func response(for name: String) throws -> Response {
        guard let asset = assets[name] else { throw Abort(.notFound, reason: "there is no file \(name)") }
        var headers = HTTPHeaders()
        headers.contentType = asset.contentType
        // Small files: revalidate every time, so a new version of the page shows at once.
        headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        // Only this server's own scripts and styles; images from data: URLs (the 28x28 views).
        headers.replaceOrAdd(
            name: "Content-Security-Policy",
            value: "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; frame-ancestors 'none'")
        return Response(status: .ok, headers: headers, body: .init(buffer: asset.body))
    }
}
