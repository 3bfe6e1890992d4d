import DigitImaging
import Vapor

/// `POST /api/guess`: what the live model reads in a drawing. Nothing is stored.
struct GuessController: RouteCollection {
    let live: LiveModel
    let metrics: ServerMetrics

    func boot(routes: any RoutesBuilder) throws {
        routes.post("api", "guess", use: guess)
    }

    @Sendable func guess(request: Request) async throws -> GuessResponse {
        let digit = try DrawingInput.normalisedDigit(from: request)
        let (network, version) = try await live.required()
        let activations = network.feedforward(digit.pixels)
        let best = activations.indices.max { activations[$0] < activations[$1] } ?? 0
        metrics.guessed(best)
        return GuessResponse(
            digit: best, activations: activations, percentages: activations.map { (Double($0) * 1000).rounded() / 10 },
            pixels: digit.bytes, image: digit.pngDataURL, modelVersion: version)
    }
}
