import DenseKernel
import HTTPCore
import Logging
import Synchronization
import TensorJSON

/// Entry points of the libFuzzer targets (`dense-fuzz`, see `Fuzz/README.md`) and of the
/// corpus replay tests. Not part of the service API: import with `@_spi(Fuzzing)`.
///
/// Each takes arbitrary bytes, runs them through the same decoding a route does, and traps
/// (`precondition`) when an invariant breaks: an error that is not a 4xx with a code, a
/// decoded model that does not survive the store's file round trip bit for bit, an output of
/// the wrong shape. Limits are small so one input stays cheap.
@_spi(Fuzzing) public enum InferenceFuzzing {
    /// Small limits: every accepted request runs in microseconds.
    public static let limits = ServiceLimits(
        json: JSONLimits(maxDepth: 16, maxStringBytes: 1 << 16, maxElements: 1 << 14, maxObjectKeys: 64),
        dense: DenseLimits(maxRank: 5, maxElements: 4096, maxLayers: 8, maxParams: 4096, maxFLOPs: 1 << 20))

    /// `POST /v1/dense` and `PUT /v1/models/{name}` bodies: `DenseRequest.decode`, the plan,
    /// the forward pass and the response; then the model materialized from the same body is
    /// written as the store writes it and read back, and must be identical; then the same
    /// body is PUT through the API and every route that reports a stored model's shapes runs
    /// (see ``modelRoutes(_:)``).
    public static func denseRequest(_ bytes: [UInt8]) {
        defer { modelRoutes(bytes) }
        do {
            let request = try DenseRequest.decode(bytes, limits: limits)
            let plan = try InferencePlan(request: request, limits: limits.dense)
            if let output = plan.runInline() {
                let input = plan.input!
                precondition(output.shape == Array(input.shape.dropLast()) + [plan.model!.outputWidth], "output shape")
                _ = ResponseEncoder.denseResponse(
                    output: output, format: plan.outputFormat, plan: plan, timing: .init(queueMs: 0, computeMs: 0))
            }
            if let model = plan.model { try roundTrip(model) }
        } catch {
            checkClientError(error)
        }
    }

    /// A V2 infer body. The first byte picks how `Inference-Header-Content-Length` is made:
    /// 0 none; 1 the length up to the first NUL byte, which is dropped (JSON, then binary);
    /// 2 a decimal number from the next two bytes (any value, also past the end); 3 a short
    /// arbitrary string. A decoded input then runs through a registered `Dense(3)` whose input
    /// width is the input's last dimension, and the response is encoded.
    public static func v2Request(_ data: [UInt8]) {
        guard let mode = data.first else { return }
        var rest = Array(data.dropFirst())
        var header: String? = nil
        switch mode % 4 {
        case 1:
            if let nul = rest.firstIndex(of: 0) {
                header = String(nul)
                rest.remove(at: nul)
            } else {
                header = String(rest.count)
            }
        case 2:
            let value = rest.count >= 2 ? Int(rest[0]) | Int(rest[1]) << 8 : 0
            rest = Array(rest.dropFirst(2))
            header = String(value)
        case 3:
            let length = min(Int(rest.first ?? 0) % 8, max(rest.count - 1, 0))
            header = String(decoding: rest.dropFirst().prefix(length), as: UTF8.self)
            rest = Array(rest.dropFirst(1 + length))
        default:
            break
        }
        do {
            let request = try V2InferenceRequest.decode(body: rest, headerLength: header, limits: limits)
            let shape = request.input.tensor.shape
            precondition(request.input.tensor.count == shape.checkedProduct(), "element count")
            precondition(request.outputsBinary.count <= 1, "outputs")
            guard let width = shape.last, width >= 1 else { return }
            let layer = try DenseLayer(
                config: LayerConfig(name: "dense", units: 3), inputDim: width,
                kernel: .float32(Array(repeating: 0.5, count: width * 3)), bias: .float32([0, 1, 2]))
            let registered = RegisteredModel(name: "fuzz", version: 1, model: try DenseModel(layers: [layer]), createdAt: 0)
            let plan = try InferencePlan(registered: registered, input: request.input, outputFormat: .flat, limits: limits.dense)
            let output = plan.runInline()!
            precondition(output.shape == Array(shape.dropLast()) + [3], "output shape")
            _ = InferenceAPI.v2InferResponse(registered, id: request.id, output: output, outputsBinary: request.outputsBinary)
        } catch let error as ServiceError {
            checkClientError(error)
        } catch {
            checkClientError(.dense(error as! DenseError))
        }
    }

    /// An API over an in-memory store with the fuzzing limits, listening on loopback without a
    /// token (so PUT and DELETE are allowed), its jobs run inline (no thread hops: thousands of
    /// inputs a second, and LeakSanitizer's per-input checks stay cheap).
    static let api: InferenceAPI = {
        let logger = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }
        let api = InferenceAPI(
            configuration: APIConfiguration(limits: limits, splitMinFLOPs: 1 << 10),
            store: ModelStore(directory: nil, limits: limits, logger: logger), pool: .inline(),
            logger: logger)
        api.setReady(true)
        return api
    }()

    /// `bytes` as a `PUT /v1/models/fuzz` body; when stored, every route that reports its
    /// shapes — `GET /v1/models/fuzz`, `/v2/models/fuzz`, `/v2/models/fuzz/config`, the model
    /// list — must answer 200 with JSON (a declared shape of 2^32 × 2^32 once trapped in
    /// `/config` on every restart), then the model is deleted. Any answer of 500 or more traps.
    static func modelRoutes(_ bytes: [UInt8]) {
        func call(_ method: String, _ path: String, _ body: [UInt8] = []) -> HTTPResponse {
            let box = Mutex<HTTPResponse?>(nil)
            let request = HTTPRequest(head: HTTPRequestHead(method: method, target: path), body: body, remoteIsLoopback: true)
            api.handle(request, context: RequestContext(isAbandoned: { false })) { response in
                box.withLock { $0 = response }
            }
            guard let response = box.withLock({ $0 }) else { preconditionFailure("\(method) \(path): no answer before handle returned") }
            precondition(response.status < 500, "\(method) \(path): status \(response.status)")
            return response
        }
        let put = call("PUT", "/v1/models/fuzz", bytes)
        guard put.status == 201 else { return }
        let version = (try? JSONParser.parse(put.body))?["version"]?.intValue
        precondition(version != nil, "PUT answer without a version")
        let paths = [
            "/v1/models/fuzz", "/v2/models/fuzz", "/v2/models/fuzz/config",
            "/v2/models/fuzz/versions/\(version!)", "/v2/models/fuzz/versions/\(version!)/config", "/v1/models",
        ]
        for path in paths {
            let response = call("GET", path)
            precondition(response.status == 200, "GET \(path): status \(response.status)")
            precondition((try? JSONParser.parse(response.body)) != nil, "GET \(path): not JSON")
        }
        precondition(call("DELETE", "/v1/models/fuzz").status == 200, "DELETE")
    }

    /// A store file (``ModelStoreFile``, version 2) read as the store reads one at start-up:
    /// refused with an error that has a code and a message, or loaded, and then written again,
    /// read again to the same model, digest and bytes.
    public static func storeFile(_ bytes: [UInt8]) {
        let loaded: RegisteredModel
        do {
            loaded = try ModelStoreFile.read(StoreFileBytes(bytes: bytes), limits: limits)
        } catch {
            precondition(!error.code.isEmpty && !error.description.isEmpty, "error without code or message")
            return
        }
        precondition(loaded.weightsDigest == WeightsDigest.of(loaded.model), "digest of a loaded store file")
        let (again, digest) = ModelStoreFile.bytes(loaded)
        precondition(digest == loaded.weightsDigest, "digest written again")
        let reloaded: RegisteredModel
        do { reloaded = try ModelStoreFile.read(StoreFileBytes(bytes: again), limits: limits) } catch {
            preconditionFailure("a store file written from a loaded one does not load: \(error)")
        }
        precondition(
            reloaded.model == loaded.model && reloaded.name == loaded.name && reloaded.version == loaded.version, "store round trip")
        precondition(ModelStoreFile.bytes(reloaded).file == again, "store file bytes after a round trip")
    }

    /// The model as the store writes it, read back: same layers, weights equal bit for bit,
    /// the digest the one hashed from the model.
    static func roundTrip(_ model: DenseModel) throws(ServiceError) {
        let registered = RegisteredModel(name: "fuzz", version: 1, model: model, createdAt: 0)
        let (file, digest) = ModelStoreFile.bytes(registered)
        let loaded = try ModelStoreFile.read(StoreFileBytes(bytes: file), limits: limits)
        precondition(digest == WeightsDigest.of(model) && loaded.weightsDigest == digest, "digest after file round trip")
        precondition(loaded.model.layers.count == model.layers.count, "layer count after file round trip")
        for (a, b) in zip(model.layers, loaded.model.layers) {
            precondition(a.config == b.config && a.requiredInputWidth == b.requiredInputWidth, "layer config after file round trip")
            switch (a, b) {
            case (.dense(let a), .dense(let b)):
                precondition(sameBits(a.kernel, b.kernel) && sameBits(a.bias, b.bias), "weights after file round trip")
            case (.normalization(let a), .normalization(let b)):
                precondition(zip(a.weights, b.weights).allSatisfy { sameBits($0, $1) }, "weights after file round trip")
            default: break
            }
        }
    }

    static func sameBits(_ a: TensorStorage?, _ b: TensorStorage?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case (.float32(let x)?, .float32(let y)?): x.map(\.bitPattern) == y.map(\.bitPattern)
        case (.float64(let x)?, .float64(let y)?): x.map(\.bitPattern) == y.map(\.bitPattern)
        default: false
        }
    }

    /// Every decoding failure is a client mistake: a 4xx with a stable code and a message.
    static func checkClientError(_ error: ServiceError) {
        precondition((400...499).contains(error.status), "status \(error.status) for \(error)")
        precondition(!error.code.isEmpty && !error.description.isEmpty, "error without code or message")
    }
}
