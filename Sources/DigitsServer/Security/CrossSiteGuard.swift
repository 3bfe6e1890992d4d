import Vapor

/// Refuses a POST or DELETE that a browser sends from a page on another origin: 403.
///
/// A multipart form is a request any web page can make its visitors' browsers send to any
/// address without asking them or this server (no CORS preflight), so without this any page
/// on the web could store labelled digits here through its visitors. Browsers say where a
/// request comes from, and a page cannot forge it: `Sec-Fetch-Site` (every current browser)
/// and `Origin` (on every cross-origin POST since long before). A request is let through when
///
/// - the browser says it comes from this server's own page (`Sec-Fetch-Site: same-origin`,
///   or `none` for what a person typed), or its `Origin` names this server's host;
/// - its `Origin` is one the server was told to allow (`--cors-origin`);
/// - it carries neither header: it is not a browser's cross-site request (curl, scripts,
///   the tests), and nothing a foreign page does can make a browser send it so.
///
/// GET, HEAD and OPTIONS change nothing here, so they are never refused.
struct CrossSiteGuard: Middleware {
    /// The origins configured with `--cors-origin`; `*` allows every origin.
    let allowedOrigins: [String]

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        if let refusal = refusal(for: request) { return request.eventLoop.makeFailedFuture(refusal) }
        return next.respond(to: request)
    }

    func refusal(for request: Request) -> Abort? {
        guard request.method != .GET, request.method != .HEAD, request.method != .OPTIONS else { return nil }
        let origin = request.headers.first(name: .origin)
        if let origin, allowedOrigins.contains("*") || allowedOrigins.contains(origin) { return nil }
        switch request.headers.first(name: "Sec-Fetch-Site")?.lowercased() {
        case "same-origin"?, "none"?: return nil
        case let site?: return Self.refuse(from: origin ?? "a \(site) page", method: request.method)
        case nil:
            guard let origin else { return nil }
            if let host = request.headers.first(name: .host), Self.authority(of: origin) == host.lowercased() { return nil }
            return Self.refuse(from: origin, method: request.method)
        }
    }

    /// `host[:port]` of an origin such as `https://digits.example:8443`.
    static func authority(of origin: String) -> String? {
        guard let range = origin.range(of: "://") else { return nil }
        return String(origin[range.upperBound...]).lowercased()
    }

    private static func refuse(from origin: String, method: HTTPMethod) -> Abort {
        Abort(
            .forbidden,
            reason:
                "this \(method.rawValue) came from a page on \(origin), not from this server's own page; other sites may not store digits or act as admin here. To allow that origin, start the server with --cors-origin \(origin)"
        )
    }
}
