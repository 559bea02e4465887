import DenseKernel
import Dispatch
import GRPCCore
import GzipCodec
import HTTPCore
import Synchronization

/// The KServe V2 gRPC protocol (`inference.GRPCInferenceService`, with Triton's ModelConfig)
/// and `grpc.health.v1.Health`, for calls that arrive over HTTP/2: a thin front end over the
/// same store, plans, batcher and error table as the REST routes, so an answer is bitwise the
/// REST route's.
///
/// Unary calls only: the request body is one length-prefixed message (gzip when
/// `grpc-encoding: gzip` and its flag say so); the answer is HEADERS, one message, then the
/// trailers `grpc-status: 0`, or for an error one HEADERS frame with `grpc-status` and a
/// percent-encoded `grpc-message` (Trailers-Only). Outputs always travel in
/// `raw_output_contents`, the one place tritonclient reads them from.
extension InferenceAPI {
    /// The gRPC services served, by their path prefix.
    public static let grpcInferencePrefix = "/inference.GRPCInferenceService/"
    public static let grpcHealthPrefix = "/grpc.health.v1.Health/"

    /// Every gRPC method served, by path (also the metrics label of its calls).
    static let grpcMethods: Set<String> = Set(
        ["ServerLive", "ServerReady", "ModelReady", "ServerMetadata", "ModelMetadata", "ModelInfer", "ModelConfig"].map {
            grpcInferencePrefix + $0
        } + [grpcHealthPrefix + "Check"])

    /// Whether an HTTP/2 request is a gRPC call: a gRPC content type, or a gRPC service path
    /// (answered 415 when its content type is not gRPC's, as the gRPC spec asks).
    static func isGRPCCall(path: String, contentType: String?) -> Bool {
        (contentType.map(isGRPCContentType) ?? false) || path.hasPrefix(grpcInferencePrefix) || path.hasPrefix(grpcHealthPrefix)
    }

    /// `application/grpc`, `application/grpc+proto`, `application/grpc;…`, in any ASCII case.
    /// Compared in place, as it is asked of every HTTP/2 request.
    static func isGRPCContentType(_ value: String) -> Bool {
        let bytes = value.utf8
        let base = "application/grpc".utf8
        guard startsIgnoringASCIICase(bytes[...], with: base) else { return false }
        let rest = bytes.dropFirst(base.count)
        return rest.isEmpty || rest.first == UInt8(ascii: ";") || startsIgnoringASCIICase(rest, with: "+proto".utf8)
    }

    /// Whether `bytes` begin with `lowercasePrefix` (lower case ASCII), ignoring ASCII case.
    private static func startsIgnoringASCIICase(_ bytes: Substring.UTF8View, with lowercasePrefix: String.UTF8View) -> Bool {
        bytes.lazy.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }.starts(with: lowercasePrefix)
    }

    /// Answers one gRPC call (``handle(_:context:respond:)`` sends it here with its
    /// `content-type`, looked up once); `respond` is called exactly once.
    func handleGRPC(
        _ request: HTTPRequest, contentType: String?, context: RequestContext, respond: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        guard let contentType, Self.isGRPCContentType(contentType) else {
            respond(fail(.unsupportedMediaType("a gRPC call needs content-type application/grpc, got \(contentType ?? "none")")))
            return
        }
        let call: GRPCCall
        do {
            call = try GRPCCall(request)
        } catch {
            respond(grpcFailure(error, acceptEncoding: true))
            return
        }
        // The deadline's DEADLINE_EXCEEDED races the answer; a timer source, cancelled by the
        // answer, so a far deadline (grpc-timeout allows 99999999H) keeps nothing alive.
        let reply = GRPCReply(deadline: call.timeoutNanoseconds, failure: { self.grpcFailure(.deadlineExceeded) }, respond)
        do throws(ServiceError) {
            guard request.method == "POST" else { throw .methodNotAllowed(method: request.method, allowed: ["POST"]) }
            let message = try call.message(of: request.body, maxBytes: configuration.grpcMaxMessageBytes)
            try dispatchGRPC(request.path, context, call: call, message: message, reply: reply)
        } catch {
            reply.send(grpcFailure(error))
        }
    }

    private func dispatchGRPC(
        _ path: String, _ context: RequestContext, call: GRPCCall, message: ArraySlice<UInt8>, reply: GRPCReply
    ) throws(ServiceError) {
        if path.hasPrefix(Self.grpcHealthPrefix) {
            guard path.dropFirst(Self.grpcHealthPrefix.count) == "Check" else { throw .routeNotFound(path: path) }
            let check = try Self.decode(HealthCheckRequest.self, message)
            guard check.service.isEmpty || check.service == "inference.GRPCInferenceService" else {
                throw .unknownService(check.service)
            }
            reply.send(call.answer(HealthCheckResponse(status: isReady ? .serving : .notServing).encodeFramed()))
            return
        }
        guard path.hasPrefix(Self.grpcInferencePrefix) else { throw .routeNotFound(path: path) }
        switch path.dropFirst(Self.grpcInferencePrefix.count) {
        case "ServerLive":
            _ = try Self.decode(ServerLiveRequest.self, message)
            reply.send(call.answer(ServerLiveResponse(true).encodeFramed()))
        case "ServerReady":
            _ = try Self.decode(ServerReadyRequest.self, message)
            reply.send(call.answer(ServerReadyResponse(isReady).encodeFramed()))
        case "ServerMetadata":
            _ = try Self.decode(ServerMetadataRequest.self, message)
            let metadata = ServerMetadataResponse(
                name: configuration.serverName, version: configuration.serverVersion, extensions: V2Protocol.extensions)
            reply.send(call.answer(metadata.encodeFramed()))
        case "ModelReady":
            let asked = try Self.decode(ModelReadyRequest.self, message)
            // An unknown model is not ready (as Triton answers), rather than an error.
            let known = (try? store.get(name: asked.name, version: try Self.version(asked.version))) != nil
            reply.send(call.answer(ModelReadyResponse(known && isReady).encodeFramed()))
        case "ModelMetadata":
            let asked = try Self.decode(ModelMetadataRequest.self, message)
            let registered = try store.get(name: asked.name, version: try Self.version(asked.version))
            reply.send(call.answer(try grpcModelMetadata(registered).encodeFramed()))
        case "ModelConfig":
            let asked = try Self.decode(ModelConfigRequest.self, message)
            let registered = try store.get(name: asked.name, version: try Self.version(asked.version))
            reply.send(call.answer(try grpcModelConfig(registered).encodeFramed()))
        case "ModelInfer":
            try grpcInfer(context, call: call, message: message, reply: reply)
        default:
            throw .routeNotFound(path: path)
        }
    }

    private static func decode<Message: ProtoMessage>(_ type: Message.Type, _ bytes: ArraySlice<UInt8>) throws(ServiceError) -> Message {
        do { return try Message(decoding: bytes) } catch { throw .grpc(error) }
    }

    /// A message's `model_version`: "" is the latest, otherwise a positive integer.
    static func version(_ text: String) throws(ServiceError) -> Int? {
        guard !text.isEmpty else { return nil }
        guard let version = ModelVersion.parse(text) else {
            throw .badRequest(field: "model_version", expected: "\"\" (the latest) or a positive integer, got \"\(text)\"")
        }
        return version
    }

    // MARK: metadata

    func grpcModelMetadata(_ registered: RegisteredModel) throws(ServiceError) -> ModelMetadataResponse {
        let signature = try Self.ioSignature(registered)
        func dims(_ shape: [Int?]) -> [Int64] { shape.map { Int64($0 ?? -1) } }
        return ModelMetadataResponse(
            name: registered.name, versions: store.versions(name: registered.name).map { String($0.version) },
            platform: V2Protocol.platform,
            inputs: [
                .init(name: V2Protocol.inputName, datatype: V2Protocol.datatype(of: signature.inputType), shape: dims(signature.input))
            ],
            outputs: [
                .init(name: V2Protocol.outputName, datatype: V2Protocol.datatype(of: signature.outputType), shape: dims(signature.output))
            ])
    }

    func grpcModelConfig(_ registered: RegisteredModel) throws(ServiceError) -> ModelConfigResponse {
        let facts = try modelConfigFacts(registered)
        func type(_ dtype: DType) -> TritonDataType { dtype == .float32 ? .fp32 : .fp64 }
        func dims(_ shape: [Int?]) -> [Int64] { shape.map { Int64($0 ?? -1) } }
        return ModelConfigResponse(
            config: ModelConfig(
                name: registered.name, platform: V2Protocol.platform, backend: "denseserve",
                maxBatchSize: Int32(clamping: facts.maxBatchSize),
                input: [ModelInput(name: V2Protocol.inputName, dataType: type(facts.inputType), dims: dims(facts.inputDims))],
                output: [ModelOutput(name: V2Protocol.outputName, dataType: type(facts.outputType), dims: dims(facts.outputDims))],
                dynamicBatching: facts.batchingDelayMicroseconds.map { ModelDynamicBatching(maxQueueDelayMicroseconds: UInt64($0)) }))
    }

    // MARK: inference

    /// ModelInfer: the model is looked up at once (NOT_FOUND without admission); the message
    /// is decoded and computed on the worker pool, through the same batcher as every route.
    /// Once the call's deadline answered (see ``GRPCReply``), work not started is skipped.
    private func grpcInfer(_ context: RequestContext, call: GRPCCall, message: ArraySlice<UInt8>, reply: GRPCReply) throws(ServiceError) {
        let decoded = try Self.decode(ModelInferRequest.self, message)
        let registered = try store.get(name: decoded.modelName, version: try Self.version(decoded.modelVersion))
        let abandoned = context.isAbandoned
        let gone: @Sendable () -> Bool = { reply.isSent || abandoned() }
        let respond: @Sendable (HTTPResponse) -> Void = { reply.send($0) }
        // The inflated message bounds the rows (a small gzip body can inflate to many).
        if Self.runsInline(registered, bodyBytes: message.count, maxFLOPs: configuration.inlineMaxFLOPs) {
            grpcInfer(
                registered, decoded, call: call, admitted: ContinuousClock.now, abandoned: gone, inline: true, respond: respond
            )
            return
        }
        try runOnPool(abandoned: gone, respond) { completion in
            self.grpcInfer(registered, decoded, call: call, admitted: completion.admittedAt, abandoned: gone) { response in
                completion.done()
                respond(response)
            }
        }
    }

    private func grpcInfer(
        _ registered: RegisteredModel, _ message: ModelInferRequest, call: GRPCCall, admitted: ContinuousClock.Instant,
        abandoned: @escaping @Sendable () -> Bool, inline: Bool = false, respond: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let decoded: GRPCInferRequest
        let plan: InferencePlan
        do {
            decoded = try GRPCInferRequest.decode(message, limits: configuration.limits)
            plan = try InferencePlan(registered: registered, input: decoded.input, outputFormat: .flat, limits: configuration.limits.dense)
        } catch {
            respond(grpcFailure(error))
            return
        }
        let id = decoded.id
        if inline {
            let clock = ContinuousClock()
            let started = clock.now
            let output = plan.runInline()!
            metrics.computed(seconds: DenseService.milliseconds(clock.now - started) / 1000, rows: plan.rows)
            respond(call.answer(Self.grpcInferResponse(registered, id: id, output: output)))
            return
        }
        submit(registered, plan: plan, admitted: admitted, abandoned: abandoned, respond: respond) { output, _ in
            call.answer(Self.grpcInferResponse(registered, id: id, output: output))
        }
    }

    /// The framed `ModelInferResponse`: the output's little-endian bytes written once, in
    /// place, as its `raw_output_contents`.
    static func grpcInferResponse(_ registered: RegisteredModel, id: String, output: Tensor) -> [UInt8] {
        let response = ModelInferResponse(
            modelName: registered.name, modelVersion: String(registered.version), id: id,
            outputs: [
                .init(name: V2Protocol.outputName, datatype: V2Protocol.datatype(of: output.dtype), shape: output.shape.map { Int64($0) })
            ])
        return response.encodeFramed(rawOutputByteCounts: [RawTensorCodec.encodedByteCount(output.storage)]) { _, destination in
            RawTensorCodec.encode(output.storage, into: destination)
        }
    }

    // MARK: errors

    /// The Trailers-Only answer to `error`: `grpc-status` from the one error table, the
    /// message percent-encoded; logged as ``fail(_:)`` logs.
    func grpcFailure(_ error: ServiceError, acceptEncoding: Bool = false) -> HTTPResponse {
        _ = fail(error)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/grpc")
        headers.add(name: "grpc-status", value: String(error.grpcStatus.rawValue))
        headers.add(name: "grpc-message", value: GRPCPercentEncoding.encode(error.message))
        if acceptEncoding { headers.add(name: "grpc-accept-encoding", value: GRPCCall.acceptedEncodings) }
        return HTTPResponse(status: 200, headers: headers, body: [])
    }
}

/// What a gRPC call's headers ask: its message encoding, the encodings its answer may use,
/// and its deadline.
struct GRPCCall: Sendable {
    static let acceptedEncodings = "identity, gzip"

    /// `grpc-encoding: gzip`: messages with the compressed flag are gzip.
    var gzipRequest: Bool
    /// The client accepts gzip answers (`grpc-accept-encoding`).
    var acceptsGzip: Bool
    /// `grpc-timeout`, when given.
    var timeoutNanoseconds: UInt64?

    init(_ request: HTTPRequest) throws(ServiceError) {
        switch request.headers["grpc-encoding"]?.lowercased() {
        case nil, "identity": gzipRequest = false
        case "gzip": gzipRequest = true
        case let other?:
            throw .unsupportedMediaType("grpc-encoding \"\(other)\" is not supported; this server accepts \(Self.acceptedEncodings)")
        }
        acceptsGzip =
            request.headers["grpc-accept-encoding"]?.split(separator: ",").contains {
                String($0).trimmingSpaces.lowercased() == "gzip"
            } ?? false
        if let timeout = request.headers["grpc-timeout"] {
            guard let nanoseconds = GRPCTimeout.parse(timeout) else {
                throw .badRequest(field: "grpc-timeout", expected: "1 to 8 digits then H, M, S, m, u or n, got \"\(timeout)\"")
            }
            timeoutNanoseconds = nanoseconds
        }
    }

    /// The one request message of a unary call, inflated when compressed.
    func message(of body: [UInt8], maxBytes: Int) throws(ServiceError) -> ArraySlice<UInt8> {
        let frame: GRPCMessageFrame
        do { frame = try GRPCMessageFrame.parseUnary(body, maxMessageBytes: maxBytes) } catch { throw .grpc(error) }
        guard frame.compressed else { return frame.message }
        guard gzipRequest else {
            throw .grpc(.malformed(path: "gRPC message prefix", expected: "flag 0: the call's grpc-encoding is identity"))
        }
        switch Gzip.inflate(Array(frame.message), limit: maxBytes) {
        case .success(let bytes): return bytes[...]
        case .failure(.tooLarge): throw .grpc(.messageTooLarge(length: maxBytes + 1, limit: maxBytes))
        case .failure: throw .grpc(.malformed(path: "gRPC message", expected: "a gzip stream (grpc-encoding: gzip)"))
        }
    }

    /// The successful answer carrying `framed` (a message behind its 5-byte prefix), gzip'd
    /// when the call came gzip'd and the client accepts gzip.
    func answer(_ framed: [UInt8]) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/grpc")
        var body = framed
        if gzipRequest && acceptsGzip && framed.count > 1024 + GRPCMessageFrame.prefixLength,
            let compressed = Gzip.deflate(Array(framed.dropFirst(GRPCMessageFrame.prefixLength)), level: 1)
        {
            body = []
            body.reserveCapacity(compressed.count + GRPCMessageFrame.prefixLength)
            GRPCMessageFrame.appendPrefix(compressed: true, length: compressed.count, to: &body)
            body += compressed
            headers.add(name: "grpc-encoding", value: "gzip")
        }
        headers.add(name: "grpc-accept-encoding", value: Self.acceptedEncodings)
        var trailers = HTTPHeaders()
        trailers.add(name: "grpc-status", value: "0")
        return HTTPResponse(status: 200, headers: headers, body: body, trailers: trailers)
    }
}

/// The one answer of a gRPC call: the first of the computed answer and a deadline's
/// DEADLINE_EXCEEDED wins; later ones are dropped (the caller counts answers).
final class GRPCReply: Sendable {
    private let respond: @Sendable (HTTPResponse) -> Void
    private let sent = Atomic<Bool>(false)
    /// The deadline's timer, cancelled with the answer. `nonisolated(unsafe)`: set once in
    /// init, and a Dispatch source's `cancel` is safe from any thread.
    nonisolated(unsafe) private let timer: DispatchSourceTimer?

    /// - Parameter deadline: nanoseconds after which `failure()` answers unless an answer went first.
    init(
        deadline nanoseconds: UInt64? = nil, failure: @escaping @Sendable () -> HTTPResponse = { HTTPResponse(status: 504, body: []) },
        _ respond: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        self.respond = respond
        timer = nanoseconds.map { nanoseconds in
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.schedule(deadline: .now() + .nanoseconds(Int(min(nanoseconds, UInt64(Int.max)))))
            return timer
        }
        timer?.setEventHandler { [weak self] in self?.send(failure()) }
        timer?.resume()
    }

    var isSent: Bool { sent.load(ordering: .acquiring) }

    func send(_ response: HTTPResponse) {
        guard sent.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        timer?.cancel()
        respond(response)
    }
}
