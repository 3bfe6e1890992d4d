import Vapor

/// `GET /api/prompt?after=9`: a digit to draw next, chosen from the live model's mistakes on
/// people's held-out digits (`DigitPrompt`); `after` is the digit suggested last, never
/// suggested twice in a row.
struct PromptController: RouteCollection {
    let matrices: ConfusionMatrices
    let live: LiveModel

    func boot(routes: any RoutesBuilder) throws {
        routes.get("api", "prompt", use: prompt)
    }

    @Sendable func prompt(request: Request) async throws -> DigitPrompt {
        let after = try request.boundedQuery("after", in: 0...9)
        guard let version = live.current()?.version else {
            throw Abort(.serviceUnavailable, reason: "no model is live yet; the first one is still training")
        }
        var generator = SystemRandomNumberGenerator()
        return DigitPrompt.choose(from: try await matrices.matrix(of: version), after: after, using: &generator)
    }
}
