import Prometheus
import Vapor

/// The server's Prometheus metrics, served at `GET /metrics` in the text format.
///
/// Each server has its own registry rather than swift-metrics' process-wide one, so that
/// tests running several servers in one process each count their own requests.
final class ServerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let guesses: [Counter]
    private let liveVersion: Gauge
    private let training: Gauge

    /// Request latencies from 0.5 ms to 2.5 s.
    static let latencyBuckets: [Duration] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5].map {
        .nanoseconds(Int64($0 * 1e9))
    }

    init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        guesses = (0...9).map {
            registry.makeCounter(descriptor: Self.name("guesses", "total", "Guesses answered, by the digit guessed."), labels: [("digit", String($0))])
        }
        liveVersion = registry.makeGauge(descriptor: Self.name("live_model", "version", "The version of the model answering guesses."))
        training = registry.makeGauge(descriptor: Self.name("retraining", "running", "1 while a retraining runs, else 0."))
    }

    /// `digits_NAME_UNIT`.
    private static func name(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "digits", metricName: name, unitName: unit, helpText: help)
    }

    func guessed(_ digit: Int) {
        if guesses.indices.contains(digit) { guesses[digit].increment() }
    }

    func stored(set: String) {
        registry.makeCounter(descriptor: Self.name("stored", "total", "People's verified digits stored, by set."), labels: [("set", set)])
            .increment()
    }

    func retrainingStarted() {
        training.set(to: 1.0)
    }

    func retrainingFinished(outcome: ModelOutcome) {
        training.set(to: 0.0)
        registry.makeCounter(
            descriptor: Self.name("retrainings", "total", "Retrainings finished, by outcome."), labels: [("outcome", outcome.rawValue)]).increment()
    }

    func modelWentLive(version: Int) {
        liveVersion.set(to: Double(version))
    }

    func request(method: String, route: String, status: UInt, duration: Duration) {
        registry.makeCounter(
            descriptor: Self.name("http_requests", "total", "HTTP requests answered, by method, route and status."),
            labels: [("method", method), ("route", route), ("status", String(status))]).increment()
        registry.makeDurationHistogram(
            descriptor: Self.name("http_request_duration", "seconds", "Time from a request's arrival to its response, by method and route."),
            labels: [("method", method), ("route", route)], buckets: Self.latencyBuckets).record(duration)
    }
}

/// Counts every request and its latency, by the route it matched (not the raw URL, whose ids
/// would make a series per digit). Outermost, so it sees the status errors turned into.
///
/// A future-based middleware rather than an async one: an async middleware would move every
/// request, even the synchronous guess, onto Swift concurrency's threads and back.
struct RequestMetricsMiddleware: Middleware {
    let metrics: ServerMetrics

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let start = ContinuousClock.now
        return next.respond(to: request).always { result in
            let status: UInt
            switch result {
            case .success(let response): status = response.status.code
            case .failure(let error): status = (error as? any AbortError)?.status.code ?? 500
            }
            let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
            metrics.request(method: request.method.rawValue, route: route, status: status, duration: ContinuousClock.now - start)
        }
    }
}

/// `GET /metrics`: the metrics in Prometheus' text format.
struct MetricsController: RouteCollection {
    let metrics: ServerMetrics

    func boot(routes: any RoutesBuilder) throws {
        routes.get("metrics", use: show)
    }

    @Sendable func show(request: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(buffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
    }
}
