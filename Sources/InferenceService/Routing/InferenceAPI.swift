import CoreMetrics
import DenseKernel
import HTTPCore
import KerasFile
import Logging
import Synchronization
import TensorJSON

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Settings of the API layer (the transport has its own).
public struct APIConfiguration: Sendable {
    public var limits: ServiceLimits
    /// Bearer token for admin routes; nil means admin routes are allowed from loopback only.
    public var adminToken: String?
    /// Forward passes of at least this many FLOPs are split over rows across workers.
    public var splitMinFLOPs: Int
    /// `Retry-After` seconds sent with 503 answers: overload, and readiness while loading or draining.
    public var retryAfterSeconds: Int
    /// Dynamic batching of registered models, unless a model sets its own.
    public var batching: BatchingPolicy
    /// Called once per forward pass of a registered model with how many requests and rows
    /// it combined: for tests and diagnostics (the metrics go through swift-metrics, and
    /// ``InferenceAPI/batchTotals`` adds the passes up). Runs on a worker: keep it cheap.
    public var batchObserver: (@Sendable (BatchObservation) -> Void)?
    /// `name` and `version` reported by `GET /v2`.
    public var serverName: String
    public var serverVersion: String

    /// The address the server listens on (`127.0.0.1`, `0.0.0.0`, `::1`, …). Without an
    /// admin token, model changes are allowed only while it is a loopback address: behind a
    /// same-host proxy (KServe's queue-proxy, an Istio sidecar) every outside request arrives
    /// from 127.0.0.x, so a loopback peer proves nothing once the server listens elsewhere.
    public var listenHost = "127.0.0.1"

    /// Whether ``listenHost`` is a loopback address (127.0.0.0/8, `::1`, `localhost`).
    public var listensOnLoopback: Bool {
        let host = listenHost.lowercased()
        return host.hasPrefix("127.") || host == "::1" || host == "0:0:0:0:0:0:0:1" || host == "localhost"
    }

    /// V2 infer requests whose forward pass is at most this many FLOPs (bounded from the body
    /// size: at most one row per byte, bodies of at most 4 KiB) run inline on the connection's queue, skipping
    /// the worker pool and batching (see `InferenceAPI.runsInline`). 0 turns it off.
    public var inlineMaxFLOPs = 1 << 18
    /// How a 413 for a broken JSON size limit names the setting that raises it (the
    /// executable's configuration key); a limit without an entry is named by its `JSONLimits`
    /// property.
    public var jsonLimitSettings: [JSONLimits.Limit: LimitSetting] = [:]
    /// Renders `GET /metrics` (Prometheus text) from the backend the executable bootstrapped;
    /// nil answers 404.
    public var metricsText: (@Sendable () -> [UInt8])?
    /// Caps on reading an uploaded or seeded model file (`.keras`, `.h5`).
    public var modelFileLimits = KerasFileLimits()
    /// Largest gRPC request message, inflated (RESOURCE_EXHAUSTED beyond). The HTTP/2 body
    /// limit bounds the message as sent.
    public var grpcMaxMessageBytes = 64 << 20

    public init(
        limits: ServiceLimits = ServiceLimits(), adminToken: String? = nil, splitMinFLOPs: Int = 1 << 24, retryAfterSeconds: Int = 1,
        batching: BatchingPolicy = .default, batchObserver: (@Sendable (BatchObservation) -> Void)? = nil,
        serverName: String = "DenseServe", serverVersion: String = "0.0.0"
    ) {
        self.limits = limits
        self.adminToken = adminToken
        self.splitMinFLOPs = splitMinFLOPs
        self.retryAfterSeconds = retryAfterSeconds
        self.batching = batching
        self.batchObserver = batchObserver
        self.serverName = serverName
        self.serverVersion = serverVersion
    }
}

/// The routes of the API (README "Routes", `openapi.yaml`), independent of the HTTP transport. Cheap routes answer inline;
/// everything that parses a body or computes runs on the ``WorkerPool``.
public final class InferenceAPI: Sendable {
    public let configuration: APIConfiguration
    public let store: ModelStore
    public let pool: WorkerPool
    let logger: Logger
    let batcher: DynamicBatcher
    /// The compute, batch and HTTP exchange metrics (see ``InferenceMetrics``).
    public let metrics: InferenceMetrics
    private let readiness = Atomic<Bool>(false)

    /// - Parameter metricsFactory: the swift-metrics backend the API's handles are made from:
    ///   the bootstrapped one by default (no-op when none is), or a test's own, so APIs in one
    ///   process stay apart.
    public init(
        configuration: APIConfiguration, store: ModelStore, pool: WorkerPool, logger: Logger,
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.configuration = configuration
        self.store = store
        self.pool = pool
        self.logger = logger
        let metrics = InferenceMetrics(factory: metricsFactory)
        self.metrics = metrics
        self.batcher = DynamicBatcher(
            pool: pool, splitMinFLOPs: configuration.splitMinFLOPs, limits: configuration.limits.dense,
            batchRows: metrics.batchRows, observer: configuration.batchObserver)
    }

    /// Forward passes of registered models so far, with the requests and rows they ran (for
    /// the summary the executable logs at shutdown).
    public var batchTotals: BatchTotals { batcher.totals }

    /// The batching a registered model runs with: its own settings over the server's.
    public func batchingPolicy(for model: RegisteredModel) -> BatchingPolicy {
        model.batching?.applied(to: configuration.batching) ?? configuration.batching
    }

    /// Whether `/v2/health/ready` answers 200. False while loading or draining.
    public var isReady: Bool { readiness.load(ordering: .sequentiallyConsistent) }
    public func setReady(_ ready: Bool) { readiness.store(ready, ordering: .sequentiallyConsistent) }

    /// Handles one request as the transport parsed it; `respond` is called exactly once,
    /// possibly from a worker queue. An HTTP/2 request with a gRPC content type or path is a
    /// gRPC call (``handleGRPC(_:contentType:context:respond:)``); gRPC exists only over
    /// HTTP/2, so over HTTP/1.1 its paths are unknown REST routes.
    public func handle(_ request: HTTPRequest, context: RequestContext, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        if request.version == .http2 {
            let contentType = request.headers["content-type"]
            if Self.isGRPCCall(path: request.path, contentType: contentType) {
                handleGRPC(request, contentType: contentType, context: context, respond: respond)
                return
            }
        }
        do {
            try route(request, context, respond: respond)
        } catch {
            respond(self.fail(error))
        }
    }

    // MARK: helpers

    /// Maps an error to its response, logging it once: server faults at error level,
    /// client mistakes at debug.
    func fail(_ error: ServiceError) -> HTTPResponse {
        if error.status >= 500 && error.code != "overloaded" {
            logger.error(
                "request failed", metadata: ["status": "\(error.status)", "code": "\(error.code)", "error": "\(error.message)"])
        } else {
            logger.debug(
                "request rejected", metadata: ["status": "\(error.status)", "code": "\(error.code)", "error": "\(error.message)"])
        }
        return .error(error, limits: configuration.limits.json, settings: configuration.jsonLimitSettings)
    }

    /// Admin routes: a configured token must match (constant time); without one, loopback only.
    func authorizeAdmin(_ request: HTTPRequest) throws(ServiceError) {
        if let token = configuration.adminToken {
            guard let credentials = request.headers["Authorization"].flatMap(Self.bearerCredentials) else { throw .unauthorized }
            guard Self.constantTimeEquals(Array(credentials.utf8), Array(token.utf8)) else { throw .unauthorized }
        } else if !configuration.listensOnLoopback {
            throw .forbidden(
                "changing models needs admin_token (DENSE_ADMIN_TOKEN) while the server listens on \(configuration.listenHost), not a loopback address; set one and send Authorization: Bearer <token>"
            )
        } else if !request.remoteIsLoopback {
            throw .forbidden("changing models is allowed only from loopback when no admin_token is configured")
        }
    }

    /// The credentials of `Bearer <token>`: the scheme is case-insensitive and followed by one
    /// or more spaces (RFC 9110 §11.4, §11.1); nil for any other scheme.
    static func bearerCredentials(_ header: String) -> String? {
        guard let space = header.firstIndex(of: " "), header[..<space].lowercased() == "bearer" else { return nil }
        let credentials = header[space...].drop { $0 == " " }
        return credentials.isEmpty ? nil : String(credentials)
    }

    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }

    /// Admits `job` to the worker pool (503 when full). A job whose client has gone by the
    /// time a worker takes it (`abandoned` says so then) is skipped and answered 499: abandoned requests (a load
    /// generator's or a proxy's closed connections) free their slot at once instead of being
    /// computed for nobody while new clients are refused.
    func runOnPool(
        abandoned: @escaping @Sendable () -> Bool, _ respond: @escaping @Sendable (HTTPResponse) -> Void,
        _ job: @escaping @Sendable (WorkerPool.Completion) -> Void
    ) throws(ServiceError) {
        let admitted = pool.submit { completion in
            guard !abandoned() else {
                completion.done()
                respond(self.fail(.clientClosedRequest))
                return
            }
            job(completion)
        }
        guard admitted else { throw .overloaded(retryAfterSeconds: configuration.retryAfterSeconds) }
    }

    // MARK: inference

    func oneShot(_ body: [UInt8], admitted: ContinuousClock.Instant, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let plan: InferencePlan
        do {
            let request = try DenseRequest.decode(body, limits: configuration.limits)
            plan = try InferencePlan(request: request, limits: configuration.limits.dense)
        } catch {
            respond(self.fail(error))
            return
        }
        execute(plan, admitted: admitted, respond: respond)
    }

    /// Decodes a registered predict body, runs it (batched with other requests for the model;
    /// skipped and answered 499 if `abandoned` turns true before its pass) and answers.
    func predictRegistered(
        _ registered: RegisteredModel, body: [UInt8], admitted: ContinuousClock.Instant,
        abandoned: @escaping @Sendable () -> Bool, respond: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let plan: InferencePlan
        let includeModel: Bool
        do throws(ServiceError) {
            let value: JSONValue
            do { value = try JSONParser.parse(body, limits: configuration.limits.json) } catch { throw .json(error) }
            guard case .object(let object) = value else {
                throw ServiceError.badRequest(field: "body", expected: "a JSON object with \"input\"")
            }
            for key in object.keys where !["input", "output_format", "include_model"].contains(key) {
                throw ServiceError.badRequest(
                    field: key, expected: "only \"input\", \"output_format\" and \"include_model\" (the model is registered)")
            }
            // The model's shapes, params and summary are in GET /v1/models/{name}; repeated in
            // every answer only when asked for, so that a one-row answer stays small.
            switch object["include_model"] {
            case nil, .bool(false)?: includeModel = false
            case .bool(true)?: includeModel = true
            case let other?: throw ServiceError.badRequest(field: "include_model", expected: "true or false, got \(other.typeName)")
            }
            guard let inputValue = object["input"] else { throw ServiceError.badRequest(field: "input", expected: "the input tensor") }
            let input = try TensorDecoder.decode(inputValue, field: "input", limits: configuration.limits.dense)
            var format: TensorFormat? = nil
            if let name = object["output_format"] {
                guard let parsed = name.stringValue.flatMap(TensorFormat.init(rawValue:)) else {
                    throw ServiceError.badRequest(field: "output_format", expected: "\"nested\", \"flat\" or \"b64\"")
                }
                format = parsed
            }
            plan = try InferencePlan(registered: registered, input: input, outputFormat: format, limits: configuration.limits.dense)
        } catch {
            respond(self.fail(error))
            return
        }
        submit(registered, plan: plan, admitted: admitted, abandoned: abandoned, respond: respond) { output, timing in
            .json(
                200,
                ResponseEncoder.registeredResponse(
                    output: output, format: plan.outputFormat, name: registered.name, version: registered.version,
                    model: includeModel ? plan : nil, timing: timing))
        }
    }

    /// The one compute path of a registered model, whatever the wire format (native predict,
    /// V2 infer, TF Serving predict): the plan's rows join the model version's dynamic batch
    /// (or run alone, as its batching policy says), and `encode` gets exactly this request's
    /// output — shape: the input's leading axes + the model's output width, bitwise the same
    /// whatever else shared the pass — with the pass's timing. Runs `encode` on a worker.
    /// `abandoned` has no default: each front end passes its client's, so that work for a
    /// client that left is skipped at its pass on every route (two routes once forgot it).
    func submit(
        _ registered: RegisteredModel, plan: InferencePlan, admitted: ContinuousClock.Instant,
        abandoned: @escaping @Sendable () -> Bool,
        respond: @escaping @Sendable (HTTPResponse) -> Void,
        encode: @escaping @Sendable (Tensor, ResponseEncoder.Timing) -> HTTPResponse
    ) {
        let input = plan.input!
        let model = registered.model
        let metrics = self.metrics
        batcher.submit(
            model: registered, policy: batchingPolicy(for: registered), rows: plan.rows, input: input.storage, admitted: admitted,
            abandoned: abandoned, skip: { respond(self.fail(.clientClosedRequest)) }
        ) { storage, timing in
            metrics.computed(seconds: timing.computeMs / 1000, rows: plan.rows)
            respond(encode(Tensor(shape: model.outputShape(inputShape: input.shape), storage: storage), timing))
        }
    }

    /// Runs a one-shot plan's forward pass (split over rows across workers when it is large
    /// enough), then encodes the response on a worker.
    private func execute(_ plan: InferencePlan, admitted: ContinuousClock.Instant, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let clock = ContinuousClock()
        let started = clock.now
        let queueMs = DenseService.milliseconds(started - admitted)
        guard let model = plan.model, let input = plan.input else {
            respond(
                .json(
                    200,
                    ResponseEncoder.denseResponse(
                        output: nil, format: plan.outputFormat, plan: plan, timing: .init(queueMs: queueMs, computeMs: 0))))
            return
        }
        let rows = plan.rows
        let metrics = self.metrics
        pool.forward(model, rows: rows, input: input.storage, splitMinFLOPs: configuration.splitMinFLOPs) { storage in
            let computeMs = DenseService.milliseconds(clock.now - started)
            metrics.computed(seconds: computeMs / 1000, rows: rows)
            let output = Tensor(shape: model.outputShape(inputShape: input.shape), storage: storage)
            let body = ResponseEncoder.denseResponse(
                output: output, format: plan.outputFormat, plan: plan,
                timing: .init(queueMs: queueMs, computeMs: computeMs))
            respond(.json(200, body))
        }
    }

    // MARK: models

    /// Registers `body` (a PUT body) as a new version of `name`; used by PUT and by start-up seeding.
    public func registerModel(name: String, body: consuming [UInt8]) throws(ServiceError) -> RegisteredModel {
        _ = try putModel(name: name, body: body)
        return try store.get(name: name)
    }

    /// Registers a PUT body. The body is consumed: its bytes are released once it is parsed,
    /// before the weights are packed and stored (a 64 MB upload otherwise stays until the answer).
    func putModel(name: String, body: consuming [UInt8]) throws(ServiceError) -> [UInt8] {
        // The body says what it is: a model file by its first bytes, JSON otherwise.
        if KerasModelImport.isModelFile(body[...]) {
            let spec = try KerasModelImport.spec(
                fromFile: body[...], limits: configuration.limits, fileLimits: configuration.modelFileLimits)
            _ = consume body
            return try register(name: name, spec: spec, batching: nil)
        }
        let value: JSONValue
        do { value = try JSONParser.parse(body, limits: configuration.limits.json) } catch { throw .json(error) }
        _ = consume body
        guard case .object(let object) = value else { throw .badRequest(field: "body", expected: "a model object") }
        if object["weight_map"] != nil {
            throw .modelFile(
                .unsupported(
                    "this is the index of sharded weights (save_weights with max_shard_size): shards are not read; save the model whole with model.save(\"m.keras\")"
                ))
        }
        for key in object.keys
        where !["layer", "layers", "model", "weights", "weights_file", "input_shape", "seed", "batching"].contains(key) {
            throw .badRequest(field: key, expected: "one of layer, layers, model, weights, weights_file, input_shape, seed, batching")
        }
        var batching: BatchingOverrides? = nil
        if let value = object["batching"] { batching = try BatchingOverrides.decode(value, field: "batching") }
        if let weightsFile = object["weights_file"] {
            guard let model = object["model"], object["weights"] == nil, object["layer"] == nil, object["layers"] == nil else {
                throw .badRequest(field: "weights_file", expected: "beside \"model\" (model.to_json()) alone, without \"weights\"")
            }
            let spec = try KerasModelImport.spec(
                model: model, weightsFile: weightsFile, limits: configuration.limits, fileLimits: configuration.modelFileLimits)
            return try register(name: name, spec: spec, batching: batching)
        }
        var spec = try ModelDecoder.decode(
            body: object, limits: configuration.limits.dense, jsonLimits: configuration.limits.json,
            seed: try DenseRequest.decodeSeed(object["seed"]))
        if let shape = object["input_shape"] {
            let symbolic = try TensorDecoder.symbolicShape(shape, field: "input_shape")
            guard !symbolic.isEmpty, symbolic.count <= configuration.limits.dense.maxRank, symbolic.allSatisfy({ $0 == nil || $0! >= 1 })
            else {
                throw .badRequest(field: "input_shape", expected: "a shape such as [null, 20, 5] with positive dimensions")
            }
            spec.declaredInputShape = symbolic
        }
        return try register(name: name, spec: spec, batching: batching)
    }

    /// Builds the spec's weights and stores them as the next version of `name`.
    func register(name: String, spec: consuming ModelSpec, batching: BatchingOverrides?) throws(ServiceError) -> [UInt8] {
        guard let inputDim = spec.knownInputDim ?? spec.declaredInputShape?.last ?? nil else {
            throw .badRequest(
                field: "input_shape",
                expected: "the input shape (e.g. [null, 20, 5]) or a kernel for the first layer, so the weights can be built")
        }
        let model: DenseModel
        do { model = try spec.materialize(inputDim: inputDim, limits: configuration.limits.dense) } catch { throw .dense(error) }
        // The spec's weight arrays are a copy of the packed kernels: gone before the store
        // writes the file (a 64 MB model's PUT peaked at 6.5× its weights).
        _ = consume spec
        let registered = try store.put(name: name, model: model, batching: batching)
        logger.info("stored model", metadata: ["model": "\(name)", "version": "\(registered.version)"])
        return try modelMetadata(registered, versions: store.versions(name: name))
    }

    func listModels() throws(ServiceError) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.writeKey("models")
        writer.beginArray()
        for model in store.list() {
            writer.beginObject()
            writer.write(model.name, forKey: "name")
            writer.write(model.version, forKey: "latest_version")
            writer.writeArray(store.versions(name: model.name).lazy.map(\.version), forKey: "versions")
            writer.write(try model.describe().totalParams, forKey: "params")
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    func modelMetadata(_ model: RegisteredModel, versions: [RegisteredModel]) throws(ServiceError) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.write(model.name, forKey: "name")
        writer.write(model.version, forKey: "version")
        writer.writeArray(versions.lazy.map(\.version), forKey: "versions")
        writer.write(model.createdAt, forKey: "created_at")
        writer.write(model.weightsDigest, forKey: "weights_digest")
        writer.writeKey("batching")
        batchingPolicy(for: model).write(into: &writer)
        writer.writeKey("model")
        ResponseEncoder.writeModel(try model.describe(), into: &writer)
        writer.endObject()
        return writer.bytes
    }
}
