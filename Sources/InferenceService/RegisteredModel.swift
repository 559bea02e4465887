import DenseKernel
import Foundation
import Synchronization
import TensorJSON

/// One stored version of a registered model.
public struct RegisteredModel: Sendable {
    public var name: String
    public var version: Int
    public var model: DenseModel
    /// Seconds since 1970 when this version was stored.
    public var createdAt: Double
    /// Encoded `model` response sections by symbolic input shape: a registered model's
    /// shapes, parameters and summary are the same for every request of that shape.
    let sectionCache = ModelSectionCache()
    /// The weights' digest, computed on first use (hashing 64 Mi parameters takes a while).
    private let digest = LazyDigest()

    /// ``WeightsDigest`` of the weights: `sha256:<hex>`.
    public var weightsDigest: String { digest.value { WeightsDigest.of(model) } }

    public init(name: String, version: Int, model: DenseModel, createdAt: Double, batching: BatchingOverrides? = nil) {
        self.batching = batching
        self.name = name
        self.version = version
        self.model = model
        self.createdAt = createdAt
    }

    /// The model's own batching settings (the PUT body's `batching`); nil follows the server.
    public var batching: BatchingOverrides? = nil

    /// The symbolic input shape reported in metadata: the declared one, else `[null, in]`.
    public var inputShape: [Int?] { model.declaredInputShape ?? [nil, model.inputDim] }

    /// The encoded `model` section for a symbolic input shape (cached).
    func modelSection(for shape: [Int?], description: () throws(DenseError) -> ModelDescription) throws(DenseError) -> [UInt8] {
        if let cached = sectionCache.get(shape) { return cached }
        var writer = JSONWriter()
        ResponseEncoder.writeModel(try description(), into: &writer)
        sectionCache.put(shape, writer.bytes)
        return writer.bytes
    }

    /// Shapes, parameters and summary for the model's declared input shape. A registered
    /// model's layers chain and its shape was checked at PUT, so this fails only for a stored
    /// file edited by hand; the caller answers that as an error rather than trapping.
    public func describe() throws(ServiceError) -> ModelDescription {
        do { return try model.describe(inputShape: inputShape) } catch { throw .dense(error) }
    }

    /// The durable file form: the native model body with weights as exact base64 tensors,
    /// readable back through ``ModelDecoder``.
    public func fileBytes() -> [UInt8] {
        // Base64 of every weight plus the small keys: reserved once, not doubled as it grows
        // (a 16.6M-parameter model's file is 89 MB).
        let weightBytes = model.layers.reduce(0) { total, layer in
            total + (layer.parameterCounts.trainable + layer.parameterCounts.nonTrainable) * (layer.dtype?.byteSize ?? 4)
        }
        var writer = JSONWriter(capacity: Base64.encodedCount(of: weightBytes) + 512 * model.layers.count + 1024)
        writer.beginObject()
        writer.write("denseserve-model", forKey: "format")
        writer.write(1, forKey: "format_version")
        writer.write(name, forKey: "name")
        writer.write(version, forKey: "version")
        writer.write(createdAt, forKey: "created_at")
        writer.write(model.name, forKey: "model_name")
        if let inputLayer = model.inputLayerName { writer.write(inputLayer, forKey: "input_layer_name") }
        if let declared = model.declaredInputShape {
            writer.writeKey("input_shape")
            ResponseEncoder.writeShape(declared, into: &writer)
        }
        if let batching, !batching.isEmpty {
            writer.writeKey("batching")
            batching.write(into: &writer)
        }
        writer.writeKey("layers")
        writer.beginArray()
        // The weights digest is hashed from the same unpacked kernels the file is written
        // from, so a PUT unpacks each kernel once.
        var hasher = SHA256()
        for layer in model.layers { Self.writeLayer(layer, into: &writer, hasher: &hasher) }
        writer.endArray()
        writer.endObject()
        digest.set(WeightsDigest.hex(hasher.finish()))
        return writer.bytes
    }

    /// One layer in the file: a Dense layer in the native form, the others as Keras layer
    /// objects (`class_name`, `config`, `weights`), every weight an exact base64 tensor.
    static func writeLayer(_ layer: ChainLayer, into writer: inout JSONWriter, hasher: inout SHA256) {
        writer.beginObject()
        switch layer {
        case .dense(let dense):
            writer.write(dense.name, forKey: "name")
            writer.write(dense.units, forKey: "units")
            writer.write(dense.config.activation.kerasName, forKey: "activation")
            writer.write(dense.config.useBias, forKey: "use_bias")
            writer.write(dense.config.mixedFloat16 ? "mixed_float16" : dense.config.dtype.rawValue, forKey: "dtype")
            writer.write(dense.config.trainable, forKey: "trainable")
            writer.writeKey("kernel")
            let kernel = dense.kernel
            hasher.update(kernel)
            ResponseEncoder.writeTensor(Tensor(shape: [dense.inputDim, dense.units], storage: kernel), format: .b64, into: &writer)
            if let bias = dense.bias {
                hasher.update(bias)
                writer.writeKey("bias")
                ResponseEncoder.writeTensor(Tensor(shape: [dense.units], storage: bias), format: .b64, into: &writer)
            }
        case .elementwise(let element):
            writer.write(element.className, forKey: "class_name")
            writer.writeKey("config")
            writer.beginObject()
            writer.write(element.name, forKey: "name")
            writer.write(element.mixedFloat16 ? "mixed_float16" : element.dtype.rawValue, forKey: "dtype")
            switch element.function {
            case .identity: break
            case .activation(let activation):
                if element.className == "Activation" { writer.write(activation.kerasName, forKey: "activation") }
            case .leakyReLU(let slope): writer.write(slope, forKey: "negative_slope")
            case .elu(let alpha): writer.write(alpha, forKey: "alpha")
            case .relu(let maxValue, let slope, let threshold):
                if let maxValue { writer.write(maxValue, forKey: "max_value") }
                writer.write(slope, forKey: "negative_slope")
                writer.write(threshold, forKey: "threshold")
            }
            writer.endObject()
        case .normalization(let normalization):
            let config = normalization.config
            writer.write(config.kind.className, forKey: "class_name")
            writer.writeKey("config")
            writer.beginObject()
            writer.write(config.name, forKey: "name")
            writer.write(config.dtype.rawValue, forKey: "dtype")
            writer.write(config.trainable, forKey: "trainable")
            writer.write(config.epsilon, forKey: "epsilon")
            writer.write(config.center, forKey: "center")
            writer.write(config.scale, forKey: "scale")
            writer.endObject()
            writer.writeKey("weights")
            writer.beginArray()
            for weight in normalization.weights {
                hasher.update(weight)
                ResponseEncoder.writeTensor(Tensor(shape: [normalization.channels], storage: weight), format: .b64, into: &writer)
            }
            writer.endArray()
        case .reshape(let reshape):
            writer.write(reshape.className, forKey: "class_name")
            writer.writeKey("config")
            writer.beginObject()
            writer.write(reshape.name, forKey: "name")
            if reshape.className == "Reshape" {
                writer.writeKey("target_shape")
                writer.beginArray()
                for dimension in reshape.targetShape { writer.write(dimension) }
                writer.endArray()
            }
            writer.endObject()
        }
        writer.endObject()
    }

    /// Reads a file written by ``fileBytes()``.
    public static func load(fileBytes: [UInt8], limits: ServiceLimits) throws(ServiceError) -> RegisteredModel {
        let value: JSONValue
        // The file holds each weight array as one base64 string, longer than any string a
        // request may send once a kernel passes 48 MiB; the file itself bounds it.
        var jsonLimits = limits.json
        jsonLimits.maxStringBytes = max(jsonLimits.maxStringBytes, fileBytes.count)
        do { value = try JSONParser.parse(fileBytes, limits: jsonLimits) } catch { throw .json(error) }
        guard case .object(let object) = value, object["format"]?.stringValue == "denseserve-model" else {
            throw .badRequest(field: "format", expected: "\"denseserve-model\"")
        }
        guard let name = object["name"]?.stringValue, ModelName.isValid(name) else {
            throw .badRequest(field: "name", expected: "a valid model name")
        }
        guard let version = object["version"]?.intValue, version >= 1 else {
            throw .badRequest(field: "version", expected: "a positive integer")
        }
        guard case .array(let layers)? = object["layers"] else { throw .badRequest(field: "layers", expected: "a list") }
        let body = JSONObject([("layers", .array(layers))])
        var spec = try ModelDecoder.decode(body: body, limits: limits.dense, jsonLimits: jsonLimits)
        spec.name = object["model_name"]?.stringValue ?? "sequential"
        spec.inputLayerName = object["input_layer_name"]?.stringValue
        if let shape = object["input_shape"] {
            spec.declaredInputShape = try TensorDecoder.symbolicShape(shape, field: "input_shape")
        }
        guard let inputDim = spec.knownInputDim else {
            throw .badRequest(field: "layers[0].kernel", expected: "stored weights")
        }
        let model: DenseModel
        do { model = try spec.materialize(inputDim: inputDim, limits: limits.dense) } catch { throw .dense(error) }
        // Files written before batching existed have no "batching" and follow the server.
        var batching: BatchingOverrides? = nil
        if let value = object["batching"] { batching = try BatchingOverrides.decode(value, field: "batching") }
        return RegisteredModel(
            name: name, version: version, model: model, createdAt: object["created_at"]?.doubleValue ?? 0, batching: batching)
    }
}

/// A small bounded map from symbolic input shape to encoded JSON (shared by copies of a
/// ``RegisteredModel``).
final class ModelSectionCache: Sendable {
    private let entries = Mutex<[[Int?]: [UInt8]]>([:])
    private let capacity = 32

    func get(_ shape: [Int?]) -> [UInt8]? { entries.withLock { $0[shape] } }

    func put(_ shape: [Int?], _ bytes: [UInt8]) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll() }
            entries[shape] = bytes
        }
    }
}

/// A digest computed once and shared by copies of a ``RegisteredModel``.
final class LazyDigest: Sendable {
    private let stored = Mutex<String?>(nil)

    func set(_ value: String) { stored.withLock { $0 = value } }

    func value(_ make: () -> String) -> String {
        if let known = stored.withLock({ $0 }) { return known }
        let made = make()
        stored.withLock { $0 = made }
        return made
    }
}
