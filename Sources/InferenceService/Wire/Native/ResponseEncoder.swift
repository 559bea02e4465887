import DenseKernel
import TensorJSON

/// Writes response bodies straight into a byte buffer: no intermediate JSON tree.
public enum ResponseEncoder {
    /// Timings reported in `timing_ms`.
    public struct Timing: Sendable {
        public var queueMs: Double
        public var computeMs: Double
        public init(queueMs: Double, computeMs: Double) {
            self.queueMs = queueMs
            self.computeMs = computeMs
        }
    }

    /// The `/v1/dense` response: `{"output", "model", "timing_ms"}`. `output` is omitted
    /// when only shapes were asked for (`input_shape`).
    public static func denseResponse(
        output: Tensor?, format: TensorFormat, plan: InferencePlan, timing: Timing
    ) -> [UInt8] {
        denseResponse(output: output, format: format, timing: timing) { writer in
            if let section = plan.modelSection {
                section.withUnsafeBytes { writer.writeRawJSON($0) }
            } else if let description = plan.description {
                writeModel(description, into: &writer)
            }
        }
    }

    /// A registered model's predict answer: `{"output", "model_name", "model_version",
    /// "timing_ms"}`, plus the `model` section when `model` (the plan) is given
    /// (`"include_model": true`).
    public static func registeredResponse(
        output: Tensor, format: TensorFormat, name: String, version: Int, model: InferencePlan?, timing: Timing
    ) -> [UInt8] {
        var writer = JSONWriter(capacity: output.count * 12 + (model == nil ? 160 : 2048))
        writer.beginObject()
        writer.writeKey("output")
        writeTensor(output, format: format, into: &writer)
        writer.write(name, forKey: "model_name")
        writer.write(version, forKey: "model_version")
        if let plan = model {
            writer.writeKey("model")
            if let section = plan.modelSection {
                section.withUnsafeBytes { writer.writeRawJSON($0) }
            } else if let description = plan.description {
                writeModel(description, into: &writer)
            }
        }
        writeTiming(timing, into: &writer)
        writer.endObject()
        return writer.bytes
    }

    static func writeTiming(_ timing: Timing, into writer: inout JSONWriter) {
        writer.writeKey("timing_ms")
        writer.beginObject()
        writer.write(rounded(timing.queueMs), forKey: "queue")
        writer.write(rounded(timing.computeMs), forKey: "compute")
        writer.endObject()
    }

    /// The `/v1/dense` response of a model known by its description alone (no plan).
    public static func denseResponse(
        output: Tensor?, format: TensorFormat, description: ModelDescription, timing: Timing
    ) -> [UInt8] {
        denseResponse(output: output, format: format, timing: timing) { writeModel(description, into: &$0) }
    }

    /// `{"output", "model", "timing_ms"}` with the `model` value `writeModelValue` writes.
    private static func denseResponse(
        output: Tensor?, format: TensorFormat, timing: Timing, writeModelValue: (inout JSONWriter) -> Void
    ) -> [UInt8] {
        var writer = JSONWriter(capacity: (output?.count ?? 0) * 12 + 2048)
        writer.beginObject()
        if let output {
            writer.writeKey("output")
            writeTensor(output, format: format, into: &writer)
        }
        writer.writeKey("model")
        writeModelValue(&writer)
        writeTiming(timing, into: &writer)
        writer.endObject()
        return writer.bytes
    }

    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    /// `{"shape", "dtype", "data"|"b64"}` in the requested form.
    public static func writeTensor(_ tensor: Tensor, format: TensorFormat, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.writeKey("shape")
        writeShape(tensor.shape.map { Optional($0) }, into: &writer)
        writer.write(tensor.dtype.rawValue, forKey: "dtype")
        switch format {
        case .b64:
            writer.writeKey("b64")
            #if _endian(little)
                // The array's own bytes are the little-endian wire bytes: no copy.
                switch tensor.storage {
                case .float32(let values): values.withUnsafeBytes { writer.writeBase64String($0) }
                case .float64(let values): values.withUnsafeBytes { writer.writeBase64String($0) }
                }
            #else
                let bytes = RawTensorCodec.encode(tensor.storage)
                bytes.withUnsafeBytes { writer.writeBase64String($0) }
            #endif
        case .flat:
            writer.writeKey("data")
            writeValues(tensor.storage, shape: [tensor.count], into: &writer)
        case .nested:
            writer.writeKey("data")
            writeValues(tensor.storage, shape: tensor.shape, into: &writer)
        }
        writer.endObject()
    }

    /// Nested arrays by `shape` (rank ≥ 1), shortest round-trip numbers.
    public static func writeValues(_ storage: TensorStorage, shape: [Int], into writer: inout JSONWriter) {
        switch storage {
        case .float32(let values):
            values.withUnsafeBufferPointer { writer.writeNested($0, shape: shape) }
        case .float64(let values):
            values.withUnsafeBufferPointer { writer.writeNested($0, shape: shape) }
        }
    }

    /// `[null, 20, 5]`.
    public static func writeShape(_ shape: [Int?], into writer: inout JSONWriter) {
        writer.beginArray()
        for dimension in shape {
            if let dimension { writer.write(dimension) } else { writer.writeNull() }
        }
        writer.endArray()
    }

    /// The `model` section: shapes, per-layer metadata, parameter totals and the summary.
    public static func writeModel(_ description: ModelDescription, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.write(description.name, forKey: "name")
        writer.writeKey("input_shape")
        writeShape(description.inputShape, into: &writer)
        writer.writeKey("output_shape")
        writeShape(description.outputShape, into: &writer)
        writer.writeKey("layers")
        writer.beginArray()
        for layer in description.layers {
            writer.beginObject()
            writer.write(layer.name, forKey: "name")
            writer.write(layer.className, forKey: "class_name")
            if let dense = layer.dense {
                writer.write(dense.units, forKey: "units")
                writer.write(dense.activation.kerasName, forKey: "activation")
                writer.write(dense.useBias, forKey: "use_bias")
            }
            if let dtype = layer.dtype { writer.write(layer.mixedFloat16 ? "mixed_float16" : dtype.rawValue, forKey: "dtype") }
            writer.write(layer.trainable, forKey: "trainable")
            writer.writeKey("input_shape")
            writeShape(layer.inputShape, into: &writer)
            writer.writeKey("output_shape")
            writeShape(layer.outputShape, into: &writer)
            if let kernel = layer.kernelShape {
                writer.writeKey("kernel_shape")
                writeShape(kernel.map { Optional($0) }, into: &writer)
                writer.writeKey("bias_shape")
                if let bias = layer.biasShape { writeShape(bias.map { Optional($0) }, into: &writer) } else { writer.writeNull() }
            }
            writer.write(layer.params, forKey: "params")
            writer.write(layer.nonTrainableParams, forKey: "non_trainable_params")
            writer.endObject()
        }
        writer.endArray()
        writer.writeKey("params")
        writer.beginObject()
        writer.write(description.totalParams, forKey: "total")
        writer.write(description.trainableParams, forKey: "trainable")
        writer.write(description.nonTrainableParams, forKey: "non_trainable")
        writer.endObject()
        writer.write(description.summary, forKey: "summary")
        writer.endObject()
    }
}
