import DigitImaging
import NeuralNetwork
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
        // Only a query costs the query's parsing: the plain guess has none.
        let explain = request.url.query == nil ? false : try request.boundedQuery("explain", in: 0...1, default: 0) == 1
        let (live, metrics, allocator) = (live, metrics, request.byteBufferAllocator)
        return drawings.normalise(png, client: request.clientAddress, on: request.eventLoop).flatMapThrowing { digit in
            let (network, version) = try live.required()
            let input = network.input.prepare(digit.pixels)
            // Every layer only when asked: the plain guess computes and keeps the output alone.
            let layers = explain ? network.activations(input) : nil
            let activations = layers?.last ?? network.feedforward(input)
            let best = activations.indices.max { activations[$0] < activations[$1] } ?? 0
            metrics.guessed(best)
            let certainty = GuessCertainty(activations: activations)
            var response = GuessResponse(
                digit: best, activations: activations, percentages: activations.map { (Double($0) * 1000).rounded() / 10 },
                pixels: digit.bytes, image: digit.pngDataURL, modelVersion: version, sure: certainty.sure,
                candidates: certainty.candidates)
            if let layers {
                // A network without hidden layers (a model file may have none) has nothing to show.
                response.hidden = Array(layers.dropLast())
                response.contributions =
                    layers.count < 2 ? [] : Self.contributions(to: best, of: network, hidden: layers[layers.count - 2])
            }
            return response.response(allocator: allocator)
        }
    }

    /// What each neuron of the last hidden layer added to `digit`'s weighted input: aⱼ·wⱼ.
    static func contributions(to digit: Int, of network: Network, hidden: [Float]) -> [Float] {
        let outputWeights = network.weights[network.layerCount - 1]
        return hidden.indices.map { hidden[$0] * outputWeights[digit * hidden.count + $0] }
    }
}
