import CoreMetrics
import Prometheus
import Vapor

/// The server's metrics, through swift-metrics with swift-prometheus behind it, served at
/// `GET /metrics` in Prometheus' text format.
///
/// Two registries, one text: Vapor's own request metrics (`http_requests_total`,
/// `http_request_duration_seconds`, `http_request_errors_total`, by method, route pattern and
/// status; an unmatched path counts as `vapor_route_undefined`, so labels stay bounded) go to
/// the process's `MetricsSystem`, bootstrapped once; Digits' own go to a factory of each
/// server's, so that tests running several servers in one process each count their own.
final class ServerMetrics: Sendable {
    /// The process's registry, behind `MetricsSystem`.
    static let process: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = latencyBuckets
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// This server's registry.
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let guesses: [CoreMetrics.Counter]
    private let liveVersion: CoreMetrics.Gauge
    private let training: CoreMetrics.Gauge

    /// Request latencies from 0.5 ms to 2.5 s.
    static let latencyBuckets: [Duration] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5].map {
        .nanoseconds(Int64($0 * 1e9))
    }

    init() {
        _ = Self.process
        factory = PrometheusMetricsFactory(registry: registry)
        let factory = factory
        guesses = (0...9).map { CoreMetrics.Counter(label: "digits_guesses_total", dimensions: [("digit", String($0))], factory: factory) }
        liveVersion = CoreMetrics.Gauge(label: "digits_live_model_version", factory: factory)
        training = CoreMetrics.Gauge(label: "digits_retraining_running", factory: factory)
        training.record(0)
    }

    func guessed(_ digit: Int) {
        if guesses.indices.contains(digit) { guesses[digit].increment() }
    }

    func stored(set: String) {
        CoreMetrics.Counter(label: "digits_stored_total", dimensions: [("set", set)], factory: factory).increment()
    }

    func retrainingStarted() {
        training.record(1)
    }

    func retrainingFinished(outcome: ModelOutcome) {
        training.record(0)
        CoreMetrics.Counter(label: "digits_retrainings_total", dimensions: [("outcome", outcome.rawValue)], factory: factory).increment()
    }

    func modelWentLive(version: Int) {
        liveVersion.record(Double(version))
    }

    /// Both registries in the text format.
    func emit() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        Self.process.emit(into: &buffer)
        return buffer
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
        return Response(status: .ok, headers: headers, body: .init(buffer: ByteBuffer(bytes: metrics.emit())))
    }
}
