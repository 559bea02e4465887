import DenseKernel
import HTTPCore
import TensorJSON

/// TF Serving's REST API (https://www.tensorflow.org/tfx/serving/api_rest) on the registered
/// models, the one Keras users' clients already speak; the paths are in
/// ``InferenceAPI/routeTable``. A thin front end: the body is translated into the same
/// ``WireTensor`` a native predict decodes, and runs through the same ``submit`` path (worker
/// pool, dynamic batching, the batch-invariant kernel), so the numbers are bitwise those of
/// `/v1/models/{name}/predict` and V2 infer.
extension InferenceAPI {
    /// Decodes a `:predict` body (row or columnar format), runs it and answers
    /// `{"predictions": …}` (row) or `{"outputs": …}` (columnar) as nested lists. On a worker.
    func tfServingPredict(
        _ registered: RegisteredModel, body: [UInt8], admitted: ContinuousClock.Instant,
        abandoned: @escaping @Sendable () -> Bool, respond: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let format: TFServingPredictRequest.Format
        let plan: InferencePlan
        do {
            let request = try TFServingPredictRequest.decode(body, limits: configuration.limits)
            format = request.format
            plan = try InferencePlan(
                registered: registered, input: request.input, outputFormat: .nested, limits: configuration.limits.dense)
        } catch {
            respond(self.fail(error))
            return
        }
        submit(registered, plan: plan, admitted: admitted, abandoned: abandoned, respond: respond) { output, _ in
            var writer = JSONWriter(capacity: output.count * 12 + 32)
            writer.beginObject()
            // One named output: TF Serving leaves the name out and gives the tensor itself.
            writer.writeKey(format == .row ? "predictions" : "outputs")
            ResponseEncoder.writeValues(output.storage, shape: output.shape, into: &writer)
            writer.endObject()
            return .json(200, writer.bytes)
        }
    }

    /// TF Serving's `GetModelMetadataResponse` as JSON: `model_spec` (name, version as a
    /// string — an int64 in proto3 JSON — and the empty signature name TF Serving echoes) and
    /// `metadata.signature_def.signature_def.serving_default` with the one input and output:
    /// `dtype` (`DT_FLOAT`/`DT_DOUBLE`, the first layer's and the last layer's dtype) and
    /// `tensor_shape.dim` sizes (strings, -1 for the batch axis).
    func tfServingMetadata(_ registered: RegisteredModel) throws(ServiceError) -> [UInt8] {
        let signature = try Self.ioSignature(registered)
        var writer = JSONWriter()
        writer.beginObject()
        writer.writeKey("model_spec")
        writer.beginObject()
        writer.write(registered.name, forKey: "name")
        writer.write("", forKey: "signature_name")
        writer.write(String(registered.version), forKey: "version")
        writer.endObject()
        writer.writeKey("metadata")
        writer.beginObject()
        writer.writeKey("signature_def")
        writer.beginObject()
        writer.writeKey("signature_def")
        writer.beginObject()
        writer.writeKey(TFServing.signatureName)
        writer.beginObject()
        for (key, name, shape, dtype) in [
            ("inputs", TFServing.inputName, signature.input, signature.inputType),
            ("outputs", TFServing.outputName, signature.output, signature.outputType),
        ] {
            writer.writeKey(key)
            writer.beginObject()
            writer.writeKey(name)
            writer.beginObject()
            writer.write(TFServing.dtypeName(dtype), forKey: "dtype")
            writer.writeKey("tensor_shape")
            writer.beginObject()
            writer.writeKey("dim")
            writer.beginArray()
            for dimension in shape {
                writer.beginObject()
                writer.write(String(dimension ?? -1), forKey: "size")
                writer.write("", forKey: "name")
                writer.endObject()
            }
            writer.endArray()
            writer.write(false, forKey: "unknown_rank")
            writer.endObject()
            writer.write("\(name):0", forKey: "name")
            writer.endObject()
            writer.endObject()
        }
        writer.write(TFServing.methodName, forKey: "method_name")
        writer.endObject()
        writer.endObject()
        writer.endObject()
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }
}
