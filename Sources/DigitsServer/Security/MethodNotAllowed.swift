import Vapor

/// 405 Method Not Allowed, with `Allow`, for a path the server has but not with the method
/// asked (TRACE on `/api/digits`, say); Vapor's router answers 404 for both kinds of miss.
struct MethodNotAllowed: Middleware {
    let routes: Routes

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapErrorThrowing { error in
            guard error is RouteNotFound, request.route == nil else { throw error }
            let methods = allowedMethods(for: request.url.path)
            guard !methods.isEmpty else { throw error }
            throw Abort(
                .methodNotAllowed, headers: ["Allow": methods.joined(separator: ", ")],
                reason: "\(request.url.path) answers \(methods.joined(separator: ", ")), not \(request.method.rawValue)")
        }
    }

    /// Whether `request` reached its route only through a parameter where another route has a
    /// constant (DELETE /api/digits/export taken for /api/digits/:id); then the 405 it should get.
    func shadowed(_ request: Request) -> Abort? {
        guard let route = request.route else { return nil }
        let components = request.url.path.split(separator: "/").map(String.init)
        let best = routes.all.filter { Self.matches($0.path, components) }.map { Self.specificity($0.path) }
            .max { $0.lexicographicallyPrecedes($1) }
        guard let best, best != Self.specificity(route.path) else { return nil }
        let methods = allowedMethods(for: request.url.path)
        return Abort(
            .methodNotAllowed, headers: ["Allow": methods.joined(separator: ", ")],
            reason: "\(request.url.path) answers \(methods.joined(separator: ", ")), not \(request.method.rawValue)")
    }

    /// Put before the routes with a parameter that a constant sibling can shadow: answers 405
    /// for the sibling's path instead of running the route with the constant as its parameter.
    struct Shadows: AsyncMiddleware {
        let guide: MethodNotAllowed

        func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            if let refusal = guide.shadowed(request) { throw refusal }
            return try await next.respond(to: request)
        }
    }

    /// The methods of the routes whose path matches `path` most specifically, HEAD with GET:
    /// `/api/digits/export` is a resource of its own, not `/api/digits/:id` with the id
    /// "export", so its `Allow` does not list that route's DELETE.
    func allowedMethods(for path: String) -> [String] {
        let components = path.split(separator: "/").map(String.init)
        let matching = routes.all.filter { Self.matches($0.path, components) }
        guard let best = matching.map({ Self.specificity($0.path) }).max(by: { $0.lexicographicallyPrecedes($1) }) else { return [] }
        var methods = Set<String>()
        for route in matching where Self.specificity(route.path) == best {
            methods.insert(route.method.rawValue)
            if route.method == .GET { methods.insert("HEAD") }
        }
        return methods.sorted()
    }

    /// Per component: 2 for a constant, 1 for a parameter, 0 for anything else.
    static func specificity(_ pattern: [PathComponent]) -> [Int] {
        pattern.map { part in
            switch part {
            case .constant: 2
            case .parameter: 1
            default: 0
            }
        }
    }

    static func matches(_ pattern: [PathComponent], _ components: [String]) -> Bool {
        for (index, part) in pattern.enumerated() {
            if case .catchall = part { return components.count > index }
            guard index < components.count else { return false }
            if case .constant(let text) = part, text != components[index] { return false }
        }
        return pattern.count == components.count
    }
}
