import CoreMetrics
import Prometheus

/// The swift-metrics backend `serve` bootstraps: swift-prometheus's registry, with each
/// metric's `# HELP` text, which the swift-metrics API cannot carry (swift-prometheus's own
/// `PrometheusMetricsFactory` registers every metric with an empty one).
///
/// A label with no entry in ``helpTexts`` gets no `# HELP` line. Timers are duration
/// histograms with `durationBuckets`; aggregating recorders value histograms with
/// `valueBuckets`; other recorders and meters gauges.
struct DocumentedPrometheusFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    let durationBuckets: [Duration]
    let valueBuckets: [Double]

    /// What each metric DenseServe emits means, by name.
    static let helpTexts: [String: String] = [
        "denseserve_http_requests_total": "HTTP requests by route, method and status.",
        "denseserve_grpc_calls_total":
            "gRPC calls by route and grpc-status (an HTTP/2 status of 200 carries every outcome).",
        "denseserve_http_request_duration_seconds": "Time from the request's last byte to its response queued.",
        "denseserve_http_request_bytes_total": "Request bytes received.",
        "denseserve_http_response_bytes_total": "Response bytes sent.",
        "denseserve_compute_duration_seconds":
            "Forward pass time per request (a request in a dynamic batch counts the batch's pass).",
        "denseserve_compute_rows":
            "Rows of each request's forward pass (a batched request counts its own rows; see denseserve_batch_rows).",
        "denseserve_batch_rows": "Rows per forward pass of a registered model.",
        "denseserve_queue_depth": "Jobs admitted to the worker pool and not finished.",
        "denseserve_in_flight_requests": "HTTP requests received and not yet answered.",
        "denseserve_open_connections": "Open client connections.",
        "denseserve_models_loaded": "Registered models loaded.",
        "denseserve_ready": "1 when /v2/health/ready answers 200.",
        "denseserve_access_log_dropped_total": "Access log lines dropped because standard error could not keep up.",
        "denseserve_compute_info": "1, labelled with the compute kernel's instruction set.",
    ]

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        // The name is the label whole: an empty unit adds nothing to it.
        MetricNameDescriptor(metricName: label, unitName: "", helpText: Self.helpTexts[label] ?? "")
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: valueBuckets)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: durationBuckets)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
