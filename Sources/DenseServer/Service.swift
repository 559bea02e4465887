import ArgumentParser
import DenseKernel
import Dispatch
import HTTPServer
import InferenceService
import Logging
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

/// Wires configuration, logging, the model store, the worker pool, the API, the HTTP
/// server and signals together, then runs until SIGTERM/SIGINT.
final class Service: Sendable {
    let config: ServerConfig
    let logger: Logger
    let api: InferenceAPI
    let server: HTTPServer
    let metrics: ServiceMetrics
    let inFlight = InFlightCounter()

    /// - Parameter metricsRegistry: the registry of the metrics backend `serve` bootstrapped;
    ///   `/metrics` renders it.
    init(config: ServerConfig, metricsRegistry: PrometheusCollectorRegistry) throws {
        self.config = config
        let format: LineLogHandler.Format = config.logFormat == "json" ? .json : .text
        let level = Logger.Level(rawValue: config.logLevel) ?? .info
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, format: format, logLevel: level) }
        var logger = Logger(label: "dense-server")
        logger.logLevel = level
        self.logger = logger
        let metrics = ServiceMetrics(registry: metricsRegistry)
        self.metrics = metrics

        // A JSON string cannot be longer than the body it is in, so the string limit is the
        // body limits' (the transport's 413s name those settings).
        let limits = ServiceLimits(
            json: .init(
                maxDepth: config.maxJSONDepth, maxStringBytes: max(config.maxBodyBytes, config.maxInflatedBodyBytes),
                maxElements: config.maxJSONValues, maxObjectKeys: config.maxJSONObjectKeys),
            dense: DenseLimits(
                maxRank: config.maxRank, maxElements: config.maxElements, maxLayers: config.maxLayers, maxParams: config.maxParams,
                maxFLOPs: config.maxFLOPs))
        let store = ModelStore(directory: config.modelDir, limits: limits, logger: logger)
        var apiConfiguration = APIConfiguration(
            limits: limits, adminToken: config.effectiveAdminToken,
            splitMinFLOPs: config.splitMinFLOPs, retryAfterSeconds: config.retryAfter,
            batching: BatchingPolicy(
                enabled: config.batching, maxBatchRows: config.maxBatchRows, maxQueueDelayMicroseconds: config.maxQueueDelayMicroseconds),
            serverName: "DenseServe", serverVersion: DenseServeVersion.string)
        apiConfiguration.jsonLimitSettings = ServerConfig.jsonLimitSettings
        apiConfiguration.listenHost = config.host
        // The server exists only after the API; the scrape closure finds it through this box.
        let serverBox = Mutex<HTTPServer?>(nil)
        let inFlight = self.inFlight
        let apiBox = Mutex<InferenceAPI?>(nil)
        apiConfiguration.metricsText = {
            guard let server = serverBox.withLock({ $0 }), let api = apiBox.withLock({ $0 }) else { return [] }
            return metrics.render(api: api, server: server, inFlightRequests: inFlight.value.load(ordering: .relaxed))
        }
        // Its compute, batch and exchange metrics go to the bootstrapped backend (the default factory).
        api = InferenceAPI(
            configuration: apiConfiguration,
            store: store, pool: WorkerPool(workers: config.effectiveWorkers, queueDepth: config.queueDepth), logger: logger)

        var httpConfiguration = HTTPServerConfiguration(
            host: config.host, port: config.port,
            limits: HTTPLimits(
                maxRequestLineBytes: config.maxRequestLineBytes, maxHeaderBytes: config.maxHeaderBytes,
                maxHeaderCount: config.maxHeaderCount, maxBodyBytes: config.maxBodyBytes, maxChunkedBodyBytes: config.maxBodyBytes,
                maxChunkLineBytes: config.maxChunkLineBytes, maxInflatedBodyBytes: config.maxInflatedBodyBytes,
                maxPipelinedRequests: config.maxPipelinedRequests, maxPendingOutputBytes: config.maxPendingOutputBytes),
            headerReadTimeout: config.headerReadTimeout, bodyReadTimeout: config.bodyReadTimeout, idleTimeout: config.idleTimeout,
            writeTimeout: config.writeTimeout, maxConnections: config.maxConnections,
            maxBufferedRequestBytes: config.maxBufferedRequestBytes, maxBufferedResponseBytes: config.maxBufferedResponseBytes,
            gzipMinBytes: config.gzipMinBytes,
            gzipLevel: config.gzipLevel, serverName: "DenseServe/\(DenseServeVersion.string)", ioQueueCount: config.effectiveIOQueues,
            retryAfterSeconds: config.retryAfter,
            http2: HTTP2Configuration(
                enabled: config.http2, maxConcurrentStreams: config.http2MaxConcurrentStreams,
                maxDispatchedStreams: config.http2MaxConcurrentStreams, maxConnectionAge: config.http2MaxConnectionAge))
        httpConfiguration.limitSettings = ServerConfig.httpLimitSettings
        // Access lines skip the Logger: formatted straight into the log sink's buffer and
        // written off the request path (see LogSink), only when info lines are wanted. The
        // transport's measurements of each exchange go to the API's metrics, which label it
        // by route.
        let accessFormat = level <= .info ? AccessLogFormatter(format: format, label: logger.label) : nil
        let api = self.api
        apiBox.withLock { $0 = api }
        server = HTTPServer(
            configuration: httpConfiguration,
            accessLog: { entry in
                api.metrics.recordExchange(
                    path: entry.path, method: entry.method, status: entry.status, grpcStatus: entry.grpcStatus,
                    seconds: entry.durationSeconds, bytesIn: entry.bytesIn, bytesOut: entry.bytesOut)
                guard let accessFormat else { return }
                let requestID = entry.responseRequestID ?? entry.requestID ?? "-"
                LogSink.standardError.append(maxBytes: AccessLogFormatter.maxBytes(entry, requestID: requestID)) { out in
                    accessFormat.append(entry, requestID: requestID, into: &out)
                }
            },
            handler: { request, responder in Service.handle(request, responder: responder, api: api, inFlight: inFlight) })
        serverBox.withLock { $0 = server }
    }

    /// Hands one request to the API as the server parsed it, with `X-Request-Id` accepted or
    /// generated and set on the answer.
    static func handle(_ request: HTTPRequest, responder: HTTPResponder, api: InferenceAPI, inFlight: InFlightCounter) {
        inFlight.value.add(1, ordering: .relaxed)
        let requestID = request.headers["X-Request-Id"].flatMap(validRequestID) ?? newRequestID()
        api.handle(request, context: RequestContext(isAbandoned: { responder.isAbandoned })) { response in
            var response = response
            response.headers.replaceOrAdd(name: "X-Request-Id", value: requestID)
            inFlight.value.subtract(1, ordering: .relaxed)
            responder.send(response)
        }
    }

    /// Accepts a client's request id when it is short printable ASCII.
    static func validRequestID(_ value: String) -> String? {
        let bytes = value.utf8
        guard (1...128).contains(bytes.count), bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else { return nil }
        return value
    }

    /// A new 32-hex-digit request id: a random per-process half, then a counter through the
    /// splitmix64 finalizer (a bijection, so ids never repeat within a process, and they
    /// still look random). No system call per request: the random half is drawn once.
    static func newRequestID() -> String {
        let count = requestCounter.add(1, ordering: .relaxed).newValue
        var mixed = count &+ 0x9E37_79B9_7F4A_7C15
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        mixed ^= mixed >> 31
        return String(unsafeUninitializedCapacity: 32) { buffer in
            let digits: StaticString = "0123456789abcdef"
            for index in 0..<16 {
                let shift = UInt64(60 - 4 * index)
                buffer[index] = digits.utf8Start[Int((requestIDPrefix >> shift) & 0xF)]
                buffer[16 + index] = digits.utf8Start[Int((mixed >> shift) & 0xF)]
            }
            return 32
        }
    }

    private static let requestIDPrefix: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()
    private static let requestCounter = Atomic<UInt64>(0)

    /// Loads models, starts listening, installs signal handling and never returns.
    func runForever() throws -> Never {
        // First, so no SIGTERM is lost: until a handler exists its default action kills the
        // process, and PID 1 (a container) discards it. They were installed after the
        // "listening on" line: a SIGTERM while models loaded killed the server without a
        // drain, and one sent on seeing that line could be lost when it ran as PID 1.
        installSignalHandlers()
        logger.info(
            "starting", metadata: ["version": "\(DenseServeVersion.string)", "config": "\(config.renderedJSON())"])
        logger.info("compute", metadata: ["kernel": "\(GEMM.kernelName)"])
        do {
            try api.store.load()
        } catch {
            logger.critical("cannot open model directory", metadata: ["model_dir": "\(config.modelDir)", "error": "\(error)"])
            throw ExitCode(1)
        }
        seedModelsIfEmpty()
        let port: Int
        do {
            port = try server.start()
        } catch {
            logger.critical("cannot listen", metadata: ["host": "\(config.host)", "port": "\(config.port)", "error": "\(error)"])
            throw ExitCode(1)
        }
        api.setReady(true)
        let hostText = config.host.contains(":") ? "[\(config.host)]" : config.host
        print("listening on http://\(hostText):\(port)")
        fflush(nil)
        logger.info(
            "listening",
            metadata: ["url": "http://\(hostText):\(port)", "models": "\(api.store.count)", "workers": "\(api.pool.workerCount)"])
        // Park the main thread rather than give it to `dispatchMain()`: that ends it with
        // `pthread_exit` and then runs libdispatch's signal loop on its released stack, where
        // AddressSanitizer aborts at the first signal (so SIGTERM never drained under ASan).
        // Nothing here uses the main queue; the signal sources run on their own queue.
        while true { pause() }
    }

    /// The file's bytes, read straight into one array (`Data` then `Array` held a 64 MB model
    /// file twice at start-up).
    static func readFile(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_size >= 0 else { return nil }
        let size = Int(info.st_size)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            while initialized < size {
                let count = read(descriptor, buffer.baseAddress! + initialized, size - initialized)
                if count <= 0 {
                    if count < 0 && errno == EINTR { continue }
                    failed = count < 0
                    break
                }
                initialized += count
            }
        }
        return failed ? nil : bytes
    }

    private func seedModelsIfEmpty() {
        guard api.store.count == 0, !config.seedModelDir.isEmpty,
            let files = try? FileManager.default.contentsOfDirectory(atPath: config.seedModelDir)
        else { return }
        // A PUT body named by its model (`<name>.json`), or a Keras model file (`<name>.keras`,
        // `<name>.h5`; KServe's storage initializer leaves them in /mnt/models).
        for file in files.sorted() {
            guard let suffix = [".json", ".keras", ".h5"].first(where: { file.hasSuffix($0) && !file.hasSuffix(".weights.h5") }) else {
                continue
            }
            let name = String(file.dropLast(suffix.count))
            let path = (config.seedModelDir.hasSuffix("/") ? config.seedModelDir : config.seedModelDir + "/") + file
            do {
                guard let bytes = Self.readFile(path) else { throw ServiceError.storage("unreadable") }
                // Handed on, not copied: the upload path releases the bytes once they are parsed.
                let model = try api.registerModel(name: name, body: consume bytes)
                logger.info("seeded model", metadata: ["model": "\(name)", "version": "\(model.version)", "from": "\(path)"])
            } catch {
                logger.error("cannot seed model", metadata: ["path": "\(path)", "error": "\(error)"])
            }
        }
    }

    /// SIGTERM/SIGINT: readiness false at once, keep serving for `drain_grace_s`, then stop
    /// accepting, finish accepted requests within `drain_timeout_s`, exit 0. A second
    /// signal exits at once.
    private func installSignalHandlers() {
        let queue = DispatchQueue(label: "denseserve.signals")
        let state = SignalState()
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler { [self] in
                if state.received() > 1 {
                    logger.warning("second signal: exiting now")
                    exit(1)
                }
                logger.info(
                    "draining",
                    metadata: ["signal": "\(signalNumber)", "grace_s": "\(config.drainGrace)", "timeout_s": "\(config.drainTimeout)"])
                api.setReady(false)
                DispatchQueue.global().asyncAfter(deadline: .now() + config.drainGrace) { [self] in
                    server.shutdown(grace: config.drainTimeout)
                    let stats = api.batchTotals
                    logger.notice(
                        "forward passes of registered models",
                        metadata: [
                            "passes": "\(stats.passes)", "requests": "\(stats.requests)", "rows": "\(stats.rows)",
                            "mean_requests_per_pass":
                                "\(stats.passes == 0 ? "0" : twoDecimals(Double(stats.requests) / Double(stats.passes)))",
                        ])
                    logger.info("stopped")
                    exit(0)
                }
            }
            source.resume()
            state.keep(source)
        }
        signal(SIGPIPE, SIG_IGN)
    }
}

/// HTTP requests handed to the API and not yet answered.
final class InFlightCounter: Sendable {
    let value = Atomic<Int>(0)
}

/// Counts signals; keeps the sources alive.
final class SignalState: @unchecked Sendable {
    // `@unchecked Sendable`: used only on the "denseserve.signals" queue, plus `keep` before
    // the sources resume.
    private var count = 0
    private var sources: [DispatchSourceSignal] = []
    func received() -> Int {
        count += 1
        return count
    }
    func keep(_ source: DispatchSourceSignal) { sources.append(source) }
}

/// `value` (≥ 0) rounded to two decimals, as `String(format: "%.2f")` writes it (no
/// Foundation here).
func twoDecimals(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}
