import DigitImaging
import Vapor

/// `POST /api/guess`: what the live model reads in a drawing. Nothing is stored.
///
/// Synchronous on purpose: a drawing the size of the page's pad takes a fraction of a
/// millisecond of CPU, so it is read on the event loop that received it instead of hopping to
/// Swift concurrency's threads and back for every guess; a larger one goes to
/// `DrawingWorkers`, and the response follows when it is read.
struct GuessController: RouteCollection {
    let live: LiveModel
    let drawings: DrawingWorkers
    let metrics: ServerMetrics

    func boot(routes: any RoutesBuilder) throws {
        routes.post("api", "guess", use: guess)
    }

    @Sendable func guess(request: Request) throws -> EventLoopFuture<Response> {
        let png = try DrawingInput.drawing(from: request, accepting: [.png, .multipart]).png
        let (live, metrics, allocator) = (live, metrics, request.byteBufferAllocator)
        return drawings.normalise(png, client: request.clientAddress, on: request.eventLoop).flatMapThrowing { digit in
            let (network, version) = try live.required()
            let activations = network.feedforward(network.input.prepare(digit.pixels))
            let best = activations.indices.max { activations[$0] < activations[$1] } ?? 0
            metrics.guessed(best)
            let certainty = GuessCertainty(activations: activations)
            return GuessResponse(
                digit: best, activations: activations, percentages: activations.map { (Double($0) * 1000).rounded() / 10 },
                pixels: digit.bytes, image: digit.pngDataURL, modelVersion: version, sure: certainty.sure,
                candidates: certainty.candidates
            ).response(allocator: allocator)
        }
    }
}
