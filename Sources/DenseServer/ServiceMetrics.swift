import DenseKernel
import GRPCCore
import HTTPServer
import InferenceService
import Prometheus
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The Prometheus metrics of `GET /metrics`, fed by the access log and the API observer.
///
/// Exposed: `denseserve_http_requests_total{route,method,status}`,
/// `denseserve_grpc_calls_total{route,grpc_status}` (gRPC calls by outcome name: `OK`, …),
/// `denseserve_http_request_duration_seconds{route}` (histogram),
/// `denseserve_http_request_bytes_total`, `denseserve_http_response_bytes_total`,
/// `denseserve_compute_duration_seconds` (histogram), `denseserve_compute_rows` (histogram),
/// `denseserve_batch_rows` (histogram), and gauges sampled at scrape time:
/// `denseserve_queue_depth`, `denseserve_in_flight_requests`,
/// `denseserve_open_connections`, `denseserve_models_loaded`, `denseserve_ready`;
/// `denseserve_access_log_dropped_total` (access lines dropped because standard error could
/// not keep up); and `denseserve_compute_info{kernel}` (always 1).
final class ServiceMetrics: InferenceObserver {
    let registry = PrometheusCollectorRegistry()
    private let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]
    private let rowBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384, 65536]
    private let computeHistogram: DurationHistogram
    private let computeRows: ValueHistogram
    private let batchRows: ValueHistogram
    private let bytesIn: Counter
    private let bytesOut: Counter
    private let queueDepth: Gauge
    private let inFlight: Gauge
    private let openConnections: Gauge
    private let modelsLoaded: Gauge
    private let ready: Gauge
    private let accessLogDropped: Counter
    /// Dropped lines already added to `accessLogDropped`.
    private let accessLogDroppedCounted = Mutex(0)

    init() {
        computeHistogram = registry.makeDurationHistogram(
            name: "denseserve_compute_duration_seconds", buckets: latencyBuckets, help: "Forward pass time per request.")
        computeRows = registry.makeValueHistogram(
            name: "denseserve_compute_rows", buckets: rowBuckets,
            help: "Rows of each request's forward pass (a batched request counts its own rows; see denseserve_batch_rows).")
        batchRows = registry.makeValueHistogram(
            name: "denseserve_batch_rows", buckets: rowBuckets, help: "Rows per dynamically batched forward pass.")
        bytesIn = registry.makeCounter(name: "denseserve_http_request_bytes_total", help: "Request bytes received.")
        bytesOut = registry.makeCounter(name: "denseserve_http_response_bytes_total", help: "Response bytes sent.")
        queueDepth = registry.makeGauge(name: "denseserve_queue_depth", help: "Jobs admitted to the worker pool and not finished.")
        inFlight = registry.makeGauge(name: "denseserve_in_flight_requests", help: "HTTP requests received and not yet answered.")
        openConnections = registry.makeGauge(name: "denseserve_open_connections", help: "Open client connections.")
        modelsLoaded = registry.makeGauge(name: "denseserve_models_loaded", help: "Registered models loaded.")
        ready = registry.makeGauge(name: "denseserve_ready", help: "1 when /v2/health/ready answers 200.")
        accessLogDropped = registry.makeCounter(
            name: "denseserve_access_log_dropped_total", help: "Access log lines dropped because standard error could not keep up.")
        registry.makeGauge(
            name: "denseserve_compute_info", labels: [("kernel", GEMM.kernelName)],
            help: "1, labelled with the compute kernel's instruction set."
        ).set(Int64(1))
    }

    func computed(seconds: Double, rows: Int) {
        computeHistogram.record(.nanoseconds(Int64(seconds * 1e9)))
        computeRows.record(Double(rows))
    }

    func batched(rows: Int) { batchRows.record(Double(rows)) }

    /// One finished HTTP exchange.
    func record(_ entry: HTTPAccessLogEntry) {
        let instruments = instruments(path: entry.path, method: entry.method, status: entry.status, grpcStatus: entry.grpcStatus)
        instruments.requests.increment()
        instruments.grpcCalls?.increment()
        instruments.duration.record(.nanoseconds(Int64(entry.durationSeconds * 1e9)))
        bytesIn.increment(by: Int64(entry.bytesIn))
        bytesOut.increment(by: Int64(entry.bytesOut))
    }

    private struct InstrumentKey: Hashable {
        var path: String
        var method: String
        var status: Int
        var grpcStatus: Int?
    }

    private struct Instruments {
        var requests: Counter
        var duration: DurationHistogram
        /// For a gRPC answer: its call counter by route and `grpc-status`.
        var grpcCalls: Counter?
    }

    /// The request counter and duration histogram of one exchange, looked up by the raw
    /// path, method and status: the registry validates names and help texts on every call,
    /// and the route template splits the path; both are paid once per distinct key here. At
    /// most `maxCachedInstruments` keys of paths up to 256 bytes are kept (paths are
    /// client-chosen); beyond that the registry is asked each time.
    private func instruments(path: String, method: String, status: Int, grpcStatus: Int?) -> Instruments {
        let key = InstrumentKey(path: path, method: method, status: status, grpcStatus: grpcStatus)
        if let cached = instrumentCache.withLock({ $0[key] }) { return cached }
        let route = InferenceAPI.routeTemplate(path)
        let instruments = Instruments(
            requests: registry.makeCounter(
                name: "denseserve_http_requests_total",
                labels: [("route", route), ("method", Self.methodLabel(method)), ("status", String(status))],
                help: "HTTP requests by route, method and status."),
            duration: registry.makeDurationHistogram(
                name: "denseserve_http_request_duration_seconds", labels: [("route", route)], buckets: latencyBuckets,
                help: "Time from the request's last byte to its response queued."),
            grpcCalls: grpcStatus.map { code in
                registry.makeCounter(
                    name: "denseserve_grpc_calls_total",
                    labels: [("route", route), ("grpc_status", Self.grpcStatusLabel(code))],
                    help: "gRPC calls by route and grpc-status (an HTTP/2 status of 200 carries every outcome).")
            })
        // Bounded in keys and in key size: at most 1024 paths of at most 256 bytes.
        if path.utf8.count <= 256 {
            instrumentCache.withLock { cache in
                if cache.count < Self.maxCachedInstruments { cache[key] = instruments }
            }
        }
        return instruments
    }

    private static let maxCachedInstruments = 1024
    private let instrumentCache = Mutex<[InstrumentKey: Instruments]>([:])

    /// The code's name (`OK`, `UNAVAILABLE`, …), or `other` for a code gRPC does not define.
    static func grpcStatusLabel(_ code: Int) -> String {
        UInt8(exactly: code).flatMap(GRPCStatusCode.init(rawValue:))?.name ?? "other"
    }

    static func methodLabel(_ method: String) -> String {
        ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"].contains(method) ? method : "other"
    }

    /// Samples the gauges and renders the text exposition format.
    func render(api: InferenceAPI, server: HTTPServer, inFlightRequests: Int) -> [UInt8] {
        queueDepth.set(Int64(api.pool.depth))
        inFlight.set(Int64(inFlightRequests))
        openConnections.set(Int64(server.openConnectionCount))
        modelsLoaded.set(Int64(api.store.count))
        ready.set(Int64(api.isReady ? 1 : 0))
        let dropped = LogSink.standardError.droppedLines
        accessLogDroppedCounted.withLock { counted in
            if dropped > counted { accessLogDropped.increment(by: Int64(dropped - counted)) }
            counted = max(counted, dropped)
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
