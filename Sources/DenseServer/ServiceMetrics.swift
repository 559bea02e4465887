import CoreMetrics
import DenseKernel
import HTTPServer
import InferenceService
import Prometheus
import Synchronization

/// The Prometheus backend of `GET /metrics`. The libraries emit through swift-metrics
/// (InferenceService: compute, batch and HTTP exchange metrics, see `InferenceMetrics`); `serve`
/// bootstraps ``factory(registry:)`` once, so every handle in the process lands in one
/// registry, which ``render(api:server:inFlightRequests:)`` writes out.
///
/// Sampled here at scrape time (state, not events): `denseserve_queue_depth`,
/// `denseserve_in_flight_requests`, `denseserve_open_connections`, `denseserve_models_loaded`,
/// `denseserve_ready`; `denseserve_access_log_dropped_total` (access lines dropped because
/// standard error could not keep up); and `denseserve_compute_info{kernel}` (always 1).
/// swift-metrics carries no help text: ``DocumentedPrometheusFactory`` adds each metric's.
final class ServiceMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    /// Request and compute durations: 100 µs to 10 s.
    static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]
    /// Rows of a request or a pass: powers of two to 1024, then by 4.
    static let rowBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384, 65536]
    private let queueDepth: CoreMetrics.Gauge
    private let inFlight: CoreMetrics.Gauge
    private let openConnections: CoreMetrics.Gauge
    private let modelsLoaded: CoreMetrics.Gauge
    private let ready: CoreMetrics.Gauge
    private let accessLogDropped: CoreMetrics.Counter
    /// Dropped lines already added to `accessLogDropped`.
    private let accessLogDroppedCounted = Mutex(0)

    /// The backend `serve` bootstraps: Prometheus over `registry`, with the buckets of every
    /// histogram (a swift-metrics `Timer` is a duration histogram, an aggregating `Recorder` a
    /// value histogram; all of ours take these) and each metric's help text.
    static func factory(registry: PrometheusCollectorRegistry) -> DocumentedPrometheusFactory {
        DocumentedPrometheusFactory(registry: registry, durationBuckets: latencyBuckets, valueBuckets: rowBuckets)
    }

    /// - Parameters:
    ///   - registry: the registry `factory` writes into (the bootstrapped backend's).
    ///   - factory: where this type's own handles come from.
    init(registry: PrometheusCollectorRegistry, factory: any MetricsFactory = MetricsSystem.factory) {
        self.registry = registry
        queueDepth = CoreMetrics.Gauge(label: "denseserve_queue_depth", factory: factory)
        inFlight = CoreMetrics.Gauge(label: "denseserve_in_flight_requests", factory: factory)
        openConnections = CoreMetrics.Gauge(label: "denseserve_open_connections", factory: factory)
        modelsLoaded = CoreMetrics.Gauge(label: "denseserve_models_loaded", factory: factory)
        ready = CoreMetrics.Gauge(label: "denseserve_ready", factory: factory)
        accessLogDropped = CoreMetrics.Counter(label: "denseserve_access_log_dropped_total", factory: factory)
        CoreMetrics.Gauge(
            label: "denseserve_compute_info", dimensions: [("kernel", GEMM.kernelName)],
            factory: factory
        ).record(1)
    }

    /// Samples the gauges and renders the text exposition format.
    func render(api: InferenceAPI, server: HTTPServer, inFlightRequests: Int) -> [UInt8] {
        queueDepth.record(api.pool.depth)
        inFlight.record(inFlightRequests)
        openConnections.record(server.openConnectionCount)
        modelsLoaded.record(api.store.count)
        ready.record(api.isReady ? 1 : 0)
        let dropped = LogSink.standardError.droppedLines
        accessLogDroppedCounted.withLock { counted in
            if dropped > counted { accessLogDropped.increment(by: dropped - counted) }
            counted = max(counted, dropped)
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
