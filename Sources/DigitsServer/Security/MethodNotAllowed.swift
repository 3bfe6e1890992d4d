import Vapor

/// 405 Method Not Allowed, with `Allow`, for a path the server has but not with the method
/// asked (TRACE on `/api/digits`, say); Vapor's router answers 404 for both kinds of miss.
///
/// A route reached only through a parameter where another route has a constant is shadowed
/// (DELETE `/api/digits/export` taken for `/api/digits/:id` with the id "export"): it gets
/// the same 405 for that constant path, before any route middleware such as the admin check.
struct MethodNotAllowed: Middleware {
    let routes: Routes

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        // The router has chosen the route before global middleware runs; one without
        // parameters (every guess, every store) cannot be shadowed, and costs nothing here.
        if let route = request.route, route.path.contains(where: { if case .parameter = $0 { true } else { false } }),
            let refusal = refusal(for: request, unless: Self.specificity(route.path))
        {
            return request.eventLoop.makeFailedFuture(refusal)
        }
        return next.respond(to: request).flatMapErrorThrowing { error in
            guard error is RouteNotFound, request.route == nil, let refusal = refusal(for: request, unless: nil) else { throw error }
            throw refusal
        }
    }

    /// The 405 for `request`'s path, unless the most specific routes matching it are as specific
    /// as `chosen` (the route the router took), or none matches.
    private func refusal(for request: Request, unless chosen: [Int]?) -> Abort? {
        let (best, methods) = mostSpecific(request.url.path)
        guard let best, best != chosen else { return nil }
        return Abort(
            .methodNotAllowed, headers: ["Allow": methods.joined(separator: ", ")],
            reason: "\(request.url.path) answers \(methods.joined(separator: ", ")), not \(request.method.rawValue)")
    }

    /// The methods of the routes whose path matches `path` most specifically, HEAD with GET:
    /// `/api/digits/export` is a resource of its own, not `/api/digits/:id` with the id
    /// "export", so its `Allow` does not list that route's DELETE.
    func allowedMethods(for path: String) -> [String] { mostSpecific(path).methods }

    private func mostSpecific(_ path: String) -> (specificity: [Int]?, methods: [String]) {
        let components = path.split(separator: "/").map(String.init)
        let matching = routes.all.filter { Self.matches($0.path, components) }
        guard let best = matching.map({ Self.specificity($0.path) }).max(by: { $0.lexicographicallyPrecedes($1) }) else {
            return (nil, [])
        }
        var methods = Set<String>()
        for route in matching where Self.specificity(route.path) == best {
            methods.insert(route.method.rawValue)
            if route.method == .GET { methods.insert("HEAD") }
        }
        return (best, methods.sorted())
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
