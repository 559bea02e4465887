import DenseKernel
import KerasFile
import TensorJSON

/// A model file as Keras writes it (`model.save("m.keras")`, the legacy `model.save("m.h5")`)
/// read into a ``ModelSpec``: the config through the same decoder as `model.to_json()`, the
/// weights from the file's HDF5 datasets, each checked against its layer (count, shape,
/// dtype) before a value is copied.
///
/// Weights are found as Keras finds them: in a `.keras` by the class-derived key path
/// (`layers/dense_1/vars/0`), in a legacy `.h5` through `layer_names` and each layer's
/// `weight_names`. A weights-only file (`.weights.h5`) has no config and is refused with a
/// pointer to the JSON form.
enum KerasModelImport {
    /// Whether `body` starts like a model file (a zip or an HDF5 file) rather than JSON.
    static func isModelFile(_ body: ArraySlice<UInt8>) -> Bool { KerasModelFile.startsLikeModelFile(body) }

    /// Reads a model file into a spec whose weights are all present.
    /// - Throws: `.modelFile` (400 / 413 / 422 by the file's fault), `.json` for a config that
    ///   is not JSON, and the model decoder's errors for what the config says.
    static func spec(fromFile bytes: ArraySlice<UInt8>, limits: ServiceLimits, fileLimits: KerasFileLimits) throws(ServiceError)
        -> ModelSpec
    {
        let file: KerasModelFile
        do { file = try KerasModelFile(bytes, limits: fileLimits) } catch { throw .modelFile(error) }
        guard let configBytes = file.configJSON else {
            throw .badRequest(
                field: "body",
                expected:
                    "a whole model (.keras, or .h5 from model.save); this is a weights-only file (save_weights), which holds no config: send {\"model\": model.to_json(), \"weights\": model.get_weights()} as JSON instead"
            )
        }
        var jsonLimits = limits.json
        jsonLimits.maxStringBytes = max(jsonLimits.maxStringBytes, configBytes.count)
        let value: JSONValue
        do { value = try JSONParser.parse(Array(configBytes), limits: jsonLimits) } catch { throw .json(error) }
        // A legacy `model_config` is the JSON text itself; Keras 2 sometimes stored it as a
        // JSON string inside the attribute.
        var model = value
        if case .string(let text) = value {
            do { model = try JSONParser.parse(Array(text.utf8), limits: jsonLimits) } catch { throw .json(error) }
        }
        guard case .object(let object) = model else {
            throw .badRequest(field: "config.json", expected: "the model's config object, got \(model.typeName)")
        }
        // Errors name the path inside the file's config: `config.json.config.layers[1]`.
        let field = file.layout == .kerasArchive ? "config.json" : "model_config"
        return try spec(config: object, field: field, weights: file, limits: limits)
    }

    /// A JSON body's `{"model": <model.to_json()>, "weights_file": "<base64 of the file
    /// save_weights wrote>"}`: the config from the JSON, the weights from the file.
    static func spec(model: JSONValue, weightsFile: JSONValue, limits: ServiceLimits, fileLimits: KerasFileLimits) throws(ServiceError)
        -> ModelSpec
    {
        guard case .string(let text) = weightsFile else {
            throw .badRequest(field: "weights_file", expected: "the .weights.h5 file as a base64 string, got \(weightsFile.typeName)")
        }
        let bytes: [UInt8]
        do { bytes = try Base64.decode(text) } catch {
            throw .badRequest(field: "weights_file", expected: "the .weights.h5 file as a base64 string (\(error.description))")
        }
        let file: KerasModelFile
        do { file = try KerasModelFile(bytes, limits: fileLimits) } catch { throw .modelFile(error) }
        guard file.layout == .kerasWeights || file.layout == .legacyWeights else {
            throw .badRequest(
                field: "weights_file", expected: "a weights-only file (save_weights); a whole model file goes as the PUT body by itself")
        }
        var value = model
        if case .string(let json) = model {
            do { value = try JSONParser.parse(Array(json.utf8), limits: limits.json) } catch { throw .json(error) }
        }
        guard case .object(let object) = value else {
            throw .badRequest(field: "model", expected: "the object Keras model.to_json() gives, got \(value.typeName)")
        }
        return try spec(config: object, field: "model", weights: file, limits: limits)
    }

    /// The chain `config` describes, with its weights read from `file`.
    static func spec(config object: JSONObject, field: String, weights file: KerasModelFile, limits: ServiceLimits) throws(ServiceError)
        -> ModelSpec
    {
        var chain = KerasChain()
        try chain.read(model: object, field: field, limits: limits.dense)
        guard chain.inputShape != nil else {
            throw .unsupportedLayer(
                field: field, className: object["class_name"]?.stringValue ?? "model",
                reason: "the model was never built (no input shape, no weights): call it once or give it a keras.Input before saving")
        }
        var namer = LayerNamer()
        var spec = try ModelDecoder.decodeKerasChain(chain, weights: nil, limits: limits.dense, seed: 0, namer: &namer)
        let datasets = try weightDatasets(file, chain: chain, spec: spec)
        for index in spec.layers.indices {
            spec.layers[index] = try filled(spec.layers[index], datasets[index], limits: limits.dense)
        }
        spec.missingWeights = false
        return spec
    }

    /// Each chain layer's datasets, in its variable order.
    static func weightDatasets(_ file: KerasModelFile, chain: KerasChain, spec: ModelSpec) throws(ServiceError) -> [[HDF5Dataset]] {
        do throws(KerasFileError) {
            switch file.layout {
            case .kerasArchive, .kerasWeights:
                var result: [[HDF5Dataset]] = []
                for (index, layer) in spec.layers.enumerated() {
                    result.append(layer.weightCount == 0 ? [] : try file.variables(at: chain.locations[index].keyPath))
                }
                return result
            case .legacyModel, .legacyWeights:
                // A legacy layer group holds the weights of one top-level layer (all of a nested
                // model's), handed out in order to the chain layers that came from it.
                let names = Set(try file.legacyLayerNames())
                var pending: [String: ArraySlice<HDF5Dataset>] = [:]
                var result: [[HDF5Dataset]] = []
                for (index, layer) in spec.layers.enumerated() {
                    let name = chain.locations[index].legacyName
                    if layer.weightCount == 0 {
                        result.append([])
                        continue
                    }
                    if pending[name] == nil {
                        guard names.contains(name) else {
                            throw .malformed("legacy .h5 layer_names does not list \"\(name)\" (\(layer.field))")
                        }
                        pending[name] = try file.legacyWeights(layerName: name)[...]
                    }
                    let available = pending[name]!
                    let take = min(layer.weightCount, available.count)
                    result.append(Array(available.prefix(take)))
                    pending[name] = available.dropFirst(take)
                }
                return result
            }
        } catch {
            throw .modelFile(error)
        }
    }

    /// The layer spec with its weights from `arrays` (a Keras file's datasets, a store file's
    /// entries), each shape checked against the layer before its values are read.
    static func filled(_ layer: ChainLayerSpec, _ arrays: [some StoredWeightArray], limits: DenseLimits) throws(ServiceError)
        -> ChainLayerSpec
    {
        let field = layer.field
        guard arrays.count == layer.weightCount else {
            throw .modelFile(
                .malformed(
                    "\(field) (\(layer.config.className) \"\(layer.name)\") needs \(layer.weightCount) weight arrays in the file, found \(arrays.count)"
                ))
        }
        switch layer {
        case .dense(var spec):
            let kernel = arrays[0]
            guard kernel.shape.count == 2, kernel.shape[1] == spec.config.units, kernel.shape[0] >= 1 else {
                throw .dense(
                    .shapeMismatch(
                        "\(field).kernel (\(kernel.location)) has shape \(kernel.shape) but units is \(spec.config.units): expected [input_dim, \(spec.config.units)]"
                    ))
            }
            spec.kernel = try tensor(kernel, dtype: spec.config.dtype, limits: limits, field: "\(field).kernel")
            spec.declaredInputDim = kernel.shape[0]
            if spec.config.useBias {
                let bias = arrays[1]
                guard bias.shape == [spec.config.units] else {
                    throw .dense(
                        .shapeMismatch("\(field).bias (\(bias.location)) has shape \(bias.shape) but must be [\(spec.config.units)]"))
                }
                spec.bias = try tensor(bias, dtype: spec.config.dtype, limits: limits, field: "\(field).bias")
            }
            return .dense(spec)
        case .normalization(let config, _, _):
            let channels = arrays[0].shape
            var weights: [Tensor] = []
            for (name, array) in zip(config.weightNames, arrays) {
                guard array.shape.count == 1, array.shape == channels else {
                    throw .dense(
                        .shapeMismatch(
                            "\(field) \(name) (\(array.location)) has shape \(array.shape) but must be [channels] like the others, \(channels)"
                        ))
                }
                weights.append(try tensor(array, dtype: config.dtype, limits: limits, field: "\(field).\(name)"))
            }
            return .normalization(config, weights: weights, field: field)
        case .elementwise, .reshape:
            return layer
        }
    }

    /// An array's values in `dtype`, after its size is checked against the limits.
    static func tensor(_ array: some StoredWeightArray, dtype: DType, limits: DenseLimits, field: String) throws(ServiceError) -> Tensor {
        guard array.elementCount <= limits.maxElements, array.elementCount <= limits.maxParams else {
            throw .dense(
                .limitExceeded(
                    what: "\(field) element count", value: array.elementCount, limit: min(limits.maxElements, limits.maxParams)))
        }
        return Tensor(shape: array.shape, storage: try array.read(dtype: dtype, maxElements: limits.maxElements))
    }
}

/// A weight array in a file — a Keras file's HDF5 dataset, an entry of a store file — whose
/// values are read only once its shape has been checked against its layer.
protocol StoredWeightArray {
    var shape: [Int] { get }
    var elementCount: Int { get }
    /// Where the array is, for messages (`/layers/dense/vars/0`, `weights[2]`).
    var location: String { get }
    /// The values in `dtype` (at most `maxElements`, already checked by the caller).
    func read(dtype: DType, maxElements: Int) throws(ServiceError) -> TensorStorage
}

extension HDF5Dataset: StoredWeightArray {
    var location: String { "/\(path)" }

    func read(dtype: DType, maxElements: Int) throws(ServiceError) -> TensorStorage {
        do {
            switch dtype {
            case .float32: return .float32(try readFloats(maxElements: maxElements))
            case .float64: return .float64(try readDoubles(maxElements: maxElements))
            }
        } catch {
            throw .modelFile(error)
        }
    }
}
