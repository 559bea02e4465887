import CoreMetrics
import GRPCCore
import Synchronization

/// The measurements the API emits, through the swift-metrics API: this module names the
/// metrics and their labels, and knows no backend (the executable bootstraps Prometheus once).
/// With no backend bootstrapped every handle is swift-metrics' no-op one.
///
/// Every handle is made once, here or on a label set's first use, through the factory (a lock
/// and a dictionary in the backend): a request only calls the handles.
///
/// - `denseserve_compute_duration_seconds` (timer): a request's forward pass, once per request
///   (a split pass counts once; a request in a dynamic batch reports the batch's pass time).
/// - `denseserve_compute_rows` (aggregated recorder): that request's own rows, once per request
///   (rows per batched pass are `denseserve_batch_rows`).
/// - `denseserve_batch_rows` (aggregated recorder): rows per forward pass of a registered model.
/// - `denseserve_http_requests_total{route,method,status}` (counter), with, for a gRPC answer,
///   `denseserve_grpc_calls_total{route,grpc_status}` (counter: the outcome by name, `OK`, …;
///   the HTTP/2 status is 200 for every outcome).
/// - `denseserve_http_request_duration_seconds{route}` (timer): the request's last byte to its
///   response queued.
/// - `denseserve_http_request_bytes_total`, `denseserve_http_response_bytes_total` (counters).
public final class InferenceMetrics: Sendable {
    /// The labels (metric names) emitted here, for a backend's per-metric settings.
    public enum Label {
        public static let computeDuration = "denseserve_compute_duration_seconds"
        public static let computeRows = "denseserve_compute_rows"
        public static let batchRows = "denseserve_batch_rows"
        public static let httpRequests = "denseserve_http_requests_total"
        public static let grpcCalls = "denseserve_grpc_calls_total"
        public static let httpRequestDuration = "denseserve_http_request_duration_seconds"
        public static let httpRequestBytes = "denseserve_http_request_bytes_total"
        public static let httpResponseBytes = "denseserve_http_response_bytes_total"
    }

    private let factory: any MetricsFactory
    private let computeDuration: CoreMetrics.Timer
    private let computeRows: Recorder
    let batchRows: Recorder
    private let bytesIn: Counter
    private let bytesOut: Counter

    /// - Parameter factory: where the handles come from; `MetricsSystem.factory` (the
    ///   bootstrapped backend, or no-op) unless a test injects its own.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        computeDuration = CoreMetrics.Timer(label: Label.computeDuration, factory: factory)
        computeRows = Recorder(label: Label.computeRows, aggregate: true, factory: factory)
        batchRows = Recorder(label: Label.batchRows, aggregate: true, factory: factory)
        bytesIn = Counter(label: Label.httpRequestBytes, factory: factory)
        bytesOut = Counter(label: Label.httpResponseBytes, factory: factory)
    }

    /// One request's `rows` rows were computed in `seconds`. Called on workers (or an I/O
    /// queue for an inline pass): two handle calls.
    func computed(seconds: Double, rows: Int) {
        computeDuration.recordNanoseconds(Int64(seconds * 1e9))
        computeRows.record(rows)
    }

    /// One finished HTTP exchange, as the transport measured it (the executable hands over its
    /// access log entries): `path` is labelled by its route's template.
    public func recordExchange(
        path: String, method: String, status: Int, grpcStatus: Int?, seconds: Double, bytesIn: Int, bytesOut: Int
    ) {
        let instruments = instruments(path: path, method: method, status: status, grpcStatus: grpcStatus)
        instruments.requests.increment()
        instruments.grpcCalls?.increment()
        instruments.duration.recordNanoseconds(Int64(seconds * 1e9))
        self.bytesIn.increment(by: bytesIn)
        self.bytesOut.increment(by: bytesOut)
    }

    private struct InstrumentKey: Hashable {
        var path: String
        var method: String
        var status: Int
        var grpcStatus: Int?
    }

    private struct Instruments: Sendable {
        var requests: Counter
        var duration: CoreMetrics.Timer
        /// For a gRPC answer: its call counter by route and `grpc-status`.
        var grpcCalls: Counter?
    }

    /// The request counter and duration timer of one exchange, looked up by the raw path,
    /// method and status: the factory locks and validates, and the route template splits the
    /// path; both are paid once per distinct key here. At most `maxCachedInstruments` keys of
    /// paths up to 256 bytes are kept (paths are client-chosen); beyond that the factory is
    /// asked each time.
    private func instruments(path: String, method: String, status: Int, grpcStatus: Int?) -> Instruments {
        let key = InstrumentKey(path: path, method: method, status: status, grpcStatus: grpcStatus)
        if let cached = instrumentCache.withLock({ $0[key] }) { return cached }
        let route = InferenceAPI.routeTemplate(path)
        let instruments = Instruments(
            requests: Counter(
                label: Label.httpRequests,
                dimensions: [("route", route), ("method", Self.methodLabel(method)), ("status", String(status))],
                factory: factory),
            duration: CoreMetrics.Timer(label: Label.httpRequestDuration, dimensions: [("route", route)], factory: factory),
            grpcCalls: grpcStatus.map { code in
                Counter(
                    label: Label.grpcCalls, dimensions: [("route", route), ("grpc_status", Self.grpcStatusLabel(code))],
                    factory: factory)
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

    /// The method, or `other` for one outside the common set (methods are client-chosen).
    static func methodLabel(_ method: String) -> String {
        ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"].contains(method) ? method : "other"
    }
}
