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

    /// The methods of every route whose path matches `path`, HEAD with GET.
    func allowedMethods(for path: String) -> [String] {
        let components = path.split(separator: "/").map(String.init)
        var methods = Set<String>()
        for route in routes.all where Self.matches(route.path, components) {
            methods.insert(route.method.rawValue)
            if route.method == .GET { methods.insert("HEAD") }
        }
        return methods.sorted()
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
