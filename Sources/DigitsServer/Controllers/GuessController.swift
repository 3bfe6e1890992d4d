import DigitImaging
import Vapor

/// `POST /api/guess`: what the live model reads in a drawing. Nothing is stored.
///
/// Synchronous on purpose: the whole guess (decode, normalise, forward pass, JSON) takes a
/// fraction of a millisecond of CPU, so it runs on the event loop that read the request
/// instead of hopping to Swift concurrency's threads and back for every guess.
struct GuessController: RouteCollection {
    let live: LiveModel
    let metrics: ServerMetrics

    func boot(routes: any RoutesBuilder) throws {
        routes.post("api", "guess", use: guess)
    }

    @Sendable func guess(request: Request) throws -> Response {
        let digit = try DrawingInput.normalisedDigit(from: request)
        let (network, version) = try live.required()
        let activations = network.feedforward(digit.pixels)
        let best = activations.indices.max { activations[$0] < activations[$1] } ?? 0
        metrics.guessed(best)
        return GuessResponse(
            digit: best, activations: activations, percentages: activations.map { (Double($0) * 1000).rounded() / 10 },
            pixels: digit.bytes, image: digit.pngDataURL, modelVersion: version
        ).response(allocator: request.byteBufferAllocator)
    }
}
