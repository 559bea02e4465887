import DenseKernel
import HTTPCore
import TensorJSON

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The Open Inference Protocol (KServe V2) REST routes, with Triton's binary tensor data
/// extension; their paths are in ``InferenceAPI/routeTable``.
///
/// Like Triton, infer ignores `Content-Type` (tritonclient sends none, curl sends a form
/// type): the body is the JSON request, followed by binary data when
/// `Inference-Header-Content-Length` says where the JSON ends.
extension InferenceAPI {
    // MARK: inference

    /// Whether a request is so small that decoding and computing it on the connection's I/O
    /// queue costs less than the two queue hops of the worker pool: a body of at most
    /// ``inlineMaxBodyBytes`` (every element takes at least one byte — an INT8 of binary
    /// data — so at most that many rows) and a model whose FLOPs for that many rows stay
    /// within `maxFLOPs` — some tens of microseconds on the I/O queue at most. Such a pass skips admission and batching (it
    /// never waits); its rows are computed by the same kernel, so the answer is bitwise the
    /// same as on the pool.
    static func runsInline(_ registered: RegisteredModel, bodyBytes: Int, maxFLOPs: Int) -> Bool {
        guard bodyBytes <= inlineMaxBodyBytes else { return false }
        let (flops, overflow) = registered.model.flopsPerRow.multipliedReportingOverflow(by: max(bodyBytes, 1))
        return !overflow && flops <= maxFLOPs
    }

    static let inlineMaxBodyBytes = 4096

    func v2Infer(
        _ registered: RegisteredModel, request: HTTPRequest, admitted: ContinuousClock.Instant,
        abandoned: @escaping @Sendable () -> Bool, inline: Bool = false, respond: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let decoded: V2InferenceRequest
        let plan: InferencePlan
        do {
            decoded = try V2InferenceRequest.decode(
                body: request.body, headerLength: request.headers[V2Protocol.headerLengthField], limits: configuration.limits)
            plan = try InferencePlan(registered: registered, input: decoded.input, outputFormat: .flat, limits: configuration.limits.dense)
        } catch {
            respond(self.fail(error))
            return
        }
        if inline {
            let rows = plan.rows
            let clock = ContinuousClock()
            let started = clock.now
            let output = plan.runInline()!
            let timing = ResponseEncoder.Timing(queueMs: 0, computeMs: DenseService.milliseconds(clock.now - started))
            metrics.computed(seconds: timing.computeMs / 1000, rows: rows)
            respond(Self.v2InferResponse(registered, id: decoded.id, output: output, outputsBinary: decoded.outputsBinary))
            return
        }
        submit(registered, plan: plan, admitted: admitted, abandoned: abandoned, respond: respond) { output, _ in
            Self.v2InferResponse(registered, id: decoded.id, output: output, outputsBinary: decoded.outputsBinary)
        }
    }

    /// `{"model_name", "model_version", "id"?, "outputs": [...]}`, then the binary outputs.
    static func v2InferResponse(_ registered: RegisteredModel, id: String?, output: Tensor, outputsBinary: [Bool]) -> HTTPResponse {
        var writer = JSONWriter(capacity: outputsBinary.contains(false) ? output.count * 12 + 256 : 256)
        writer.beginObject()
        writer.write(registered.name, forKey: "model_name")
        writer.write(String(registered.version), forKey: "model_version")
        if let id {
            writer.write(id, forKey: "id")
        }
        writer.writeKey("outputs")
        writer.beginArray()
        var binary: [UInt8] = []
        for isBinary in outputsBinary {
            writer.beginObject()
            writer.write(V2Protocol.outputName, forKey: "name")
            writer.write(V2Protocol.datatype(of: output.dtype), forKey: "datatype")
            writer.writeArray(output.shape, forKey: "shape")
            if isBinary {
                let bytes = RawTensorCodec.encode(output.storage)
                writer.writeKey("parameters")
                writer.beginObject()
                writer.write(bytes.count, forKey: "binary_data_size")
                writer.endObject()
                binary += bytes
            } else {
                writer.writeKey("data")
                ResponseEncoder.writeValues(output.storage, shape: [output.count], into: &writer)
            }
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        guard outputsBinary.contains(true) else { return .json(200, writer.bytes) }
        let jsonLength = writer.bytes.count
        var body = writer.takeBytes()
        body += binary
        return HTTPResponse(
            status: 200,
            headers: ["Content-Type": "application/octet-stream", V2Protocol.headerLengthField: String(jsonLength)],
            body: body)
    }

    // MARK: metadata

    func serverMetadata() -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.write(configuration.serverName, forKey: "name")
        writer.write(configuration.serverVersion, forKey: "version")
        writer.writeArray(V2Protocol.extensions, forKey: "extensions")
        // DenseServe's addition: the compute kernel's instruction set.
        writer.write(GEMM.kernelName, forKey: "dense_kernel")
        writer.endObject()
        return writer.bytes
    }

    /// Input and output shapes (nil for the batch axis), plus their dtypes: what V2 and TF
    /// Serving metadata report.
    static func ioSignature(_ registered: RegisteredModel) throws(ServiceError) -> (
        input: [Int?], inputType: DType, output: [Int?], outputType: DType
    ) {
        let description = try registered.describe()
        return (registered.inputShape, registered.model.inputDType, description.outputShape, registered.model.outputDType)
    }

    func v2ModelMetadata(_ registered: RegisteredModel, versions: [RegisteredModel]) throws(ServiceError) -> [UInt8] {
        let signature = try Self.ioSignature(registered)
        var writer = JSONWriter()
        writer.beginObject()
        writer.write(registered.name, forKey: "name")
        writer.writeArray(versions.lazy.map { String($0.version) }, forKey: "versions")
        writer.write(V2Protocol.platform, forKey: "platform")
        for (key, name, shape, dtype) in [
            ("inputs", V2Protocol.inputName, signature.input, signature.inputType),
            ("outputs", V2Protocol.outputName, signature.output, signature.outputType),
        ] {
            Self.writeTensorList(&writer, key: key, name: name) { tensor in
                tensor.write(V2Protocol.datatype(of: dtype), forKey: "datatype")
                tensor.writeArray(shape.lazy.map { $0 ?? -1 }, forKey: "shape")
            }
        }
        writer.endObject()
        return writer.bytes
    }

    /// Writes `"key":[{"name":name,…}]`: a model's inputs or outputs in its V2 metadata or
    /// config (one tensor each: DenseServe models have one input and one output), `fields`
    /// writing the members after the name.
    static func writeTensorList(_ writer: inout JSONWriter, key: String, name: String, _ fields: (inout JSONWriter) -> Void) {
        writer.writeKey(key)
        writer.beginArray()
        writer.beginObject()
        writer.write(name, forKey: "name")
        fields(&writer)
        writer.endObject()
        writer.endArray()
    }

    /// What a Triton-style model configuration says of a registered model, for its REST
    /// (JSON) and gRPC (`ModelConfig`) forms alike.
    struct ModelConfigFacts {
        /// With a batch axis, how many batch items fit in `max_batch_rows`; 0 without one.
        var maxBatchSize: Int
        /// Without the batch axis when there is one; the full shape otherwise (nil: any size).
        var inputDims: [Int?]
        var outputDims: [Int?]
        var inputType: DType
        var outputType: DType
        /// The dynamic batching delay, when the model batches.
        var batchingDelayMicroseconds: Int?
    }

    /// With a batch axis, `max_batch_size` is how many batch items fit in `max_batch_rows`
    /// and `dims` leave the batch axis out; without one, `max_batch_size` is 0 and `dims` are
    /// the full shape.
    func modelConfigFacts(_ registered: RegisteredModel) throws(ServiceError) -> ModelConfigFacts {
        let signature = try Self.ioSignature(registered)
        let policy = batchingPolicy(for: registered)
        let batched = signature.input.count >= 2 && signature.input[0] == nil
        let inputDims = batched ? Array(signature.input.dropFirst()) : signature.input
        let outputDims = batched && signature.output.first == Optional<Int>.none ? Array(signature.output.dropFirst()) : signature.output
        // Saturating: stored shapes are bounded at PUT (Tensor.validateDeclaredShape), but a
        // route must not trap on whatever a model file holds.
        let rowsPerItem =
            registered.model.reshapesSamples
            ? 1
            : inputDims.dropLast().reduce(1) { product, dimension in
                let (next, overflow) = product.multipliedReportingOverflow(by: max(1, dimension ?? 1))
                return overflow ? Int.max : next
            }
        return ModelConfigFacts(
            maxBatchSize: batched ? max(1, policy.maxBatchRows / rowsPerItem) : 0, inputDims: inputDims, outputDims: outputDims,
            inputType: signature.inputType, outputType: signature.outputType,
            batchingDelayMicroseconds: batched && policy.enabled ? policy.maxQueueDelayMicroseconds : nil)
    }

    /// A Triton-style model configuration, enough for `perf_analyzer` (see ``modelConfigFacts(_:)``).
    func v2ModelConfig(_ registered: RegisteredModel) throws(ServiceError) -> [UInt8] {
        let facts = try modelConfigFacts(registered)
        var writer = JSONWriter()
        writer.beginObject()
        writer.write(registered.name, forKey: "name")
        writer.write(V2Protocol.platform, forKey: "platform")
        writer.write("denseserve", forKey: "backend")
        writer.writeKey("version_policy")
        writer.beginObject()
        writer.writeKey("all")
        writer.beginObject()
        writer.endObject()
        writer.endObject()
        writer.write(facts.maxBatchSize, forKey: "max_batch_size")
        for (key, name, dims, dtype) in [
            ("input", V2Protocol.inputName, facts.inputDims, facts.inputType),
            ("output", V2Protocol.outputName, facts.outputDims, facts.outputType),
        ] {
            Self.writeTensorList(&writer, key: key, name: name) { tensor in
                tensor.write(dtype == .float32 ? "TYPE_FP32" : "TYPE_FP64", forKey: "data_type")
                if key == "input" {
                    tensor.write("FORMAT_NONE", forKey: "format")
                }
                tensor.writeArray(dims.lazy.map { $0 ?? -1 }, forKey: "dims")
            }
        }
        if let delay = facts.batchingDelayMicroseconds {
            writer.writeKey("dynamic_batching")
            writer.beginObject()
            writer.write(delay, forKey: "max_queue_delay_microseconds")
            writer.endObject()
        }
        writer.writeKey("model_transaction_policy")
        writer.beginObject()
        writer.write(false, forKey: "decoupled")
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }
}
