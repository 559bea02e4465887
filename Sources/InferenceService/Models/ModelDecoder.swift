import DenseKernel
import KerasFile
import TensorJSON

/// Reads the model forms the API takes (README "Routes"): `{"layer": …}`, `{"layers": […]}` and
/// `{"model": <model.to_json()>, "weights": <model.get_weights()>}`; each layer in our
/// native form or Keras's `{"class_name": "Dense", "config": …, "weights": [k, b]}`.
public enum ModelDecoder {
    /// Keys of a Keras Dense `get_config()` that do not change inference and are ignored.
    static let ignoredKerasKeys: Set<String> = [
        "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint",
        "quantization_config", "lora_rank", "lora_alpha", "module", "registered_name", "build_config", "input_shape",
        "batch_input_shape", "batch_size",
    ]
    static let layerKeys: Set<String> = [
        "name", "units", "activation", "use_bias", "dtype", "trainable", "kernel", "bias", "kernel_initializer",
        "bias_initializer", "seed", "weights", "class_name", "config",
    ]

    /// Decodes whichever model form `body` holds.
    /// - Parameters:
    ///   - seed: default seed for initializers (layer `seed` or initializer `config.seed` win).
    ///   - jsonLimits: the limits for a `"model"` given as a JSON string (parsed here), the
    ///     server's own, as for the body.
    public static func decode(
        body: JSONObject, limits: DenseLimits, jsonLimits: JSONLimits = .default, seed: UInt64 = 0
    ) throws(ServiceError) -> ModelSpec {
        let forms = ["layer", "layers", "model"].filter { body[$0] != nil }
        guard forms.count == 1 else {
            throw .badRequest(
                field: forms.isEmpty ? "layer" : forms.joined(separator: "/"),
                expected: forms.isEmpty
                    ? "one of \"layer\" (one Dense config), \"layers\" (a list) or \"model\" (Keras model.to_json() with \"weights\")"
                    : "exactly one of \"layer\", \"layers\", \"model\"")
        }
        var namer = LayerNamer()
        switch forms[0] {
        case "layer":
            guard case .object(let layer) = body["layer"]! else {
                throw .badRequest(field: "layer", expected: "a Dense layer object")
            }
            if body["weights"] != nil && layer["class_name"] == nil {
                throw .badRequest(
                    field: "weights", expected: "weights inside the layer (\"kernel\"/\"bias\") or a Keras layer with \"weights\"")
            }
            let spec = try decodeLayer(
                layer, field: "layer", index: 0, namer: &namer, seed: seed, limits: limits, outerWeights: body["weights"])
            return ModelSpec(name: "sequential", layers: [.dense(spec)], declaredInputShape: nil)
        case "layers":
            if body["weights"] != nil {
                throw .badRequest(
                    field: "weights",
                    expected: "weights inside each layer (\"kernel\"/\"bias\" or \"weights\"); a top-level \"weights\" goes with \"model\"")
            }
            guard case .array(let items) = body["layers"]! else {
                throw .badRequest(field: "layers", expected: "a list of Dense layer objects")
            }
            guard !items.isEmpty else { throw .badRequest(field: "layers", expected: "at least one layer") }
            guard items.count <= limits.maxLayers else {
                throw .dense(.limitExceeded(what: "number of layers", value: items.count, limit: limits.maxLayers))
            }
            var specs: [ChainLayerSpec] = []
            for (index, item) in items.enumerated() {
                guard case .object(let layer) = item else {
                    throw .badRequest(field: "layers[\(index)]", expected: "a layer object, got \(item.typeName)")
                }
                specs.append(
                    try decodeChainLayer(
                        layer, field: "layers[\(index)]", index: index, namer: &namer, seed: seed, limits: limits, outerWeights: nil))
            }
            try checkUniqueNames(specs)
            return ModelSpec(name: "sequential", layers: specs, declaredInputShape: nil)
        default:
            return try decodeKerasModel(
                body["model"]!, weights: body["weights"], limits: limits, jsonLimits: jsonLimits, seed: seed, namer: &namer)
        }
    }

    static func checkUniqueNames(_ specs: [ChainLayerSpec]) throws(ServiceError) {
        var seen = Set<String>()
        for spec in specs where !seen.insert(spec.name).inserted {
            throw .badRequest(field: "\(spec.field).name", expected: "a unique layer name; \"\(spec.name)\" is used twice")
        }
    }

    /// One layer of a chain: Dense in native or Keras form, or a Keras layer of another class.
    static func decodeChainLayer(
        _ object: JSONObject, field: String, index: Int, namer: inout LayerNamer, seed: UInt64, limits: DenseLimits,
        outerWeights: JSONValue?, inputRank: Int? = nil
    ) throws(ServiceError) -> ChainLayerSpec {
        if let className = object["class_name"]?.stringValue, className != "Dense" {
            return try decodeKerasLayer(
                object, className: className, field: field, weights: outerWeights ?? object["weights"], limits: limits, namer: &namer,
                inputRank: inputRank)
        }
        return .dense(
            try decodeLayer(object, field: field, index: index, namer: &namer, seed: seed, limits: limits, outerWeights: outerWeights))
    }

    /// `model.to_json()` (as an object or as the JSON string itself) plus `get_weights()`.
    /// A Sequential, a Sequential nested in one, or a Functional model that is one chain
    /// flattens into one chain of layers; the saved input shape's first axis is the batch.
    static func decodeKerasModel(
        _ value: JSONValue, weights: JSONValue?, limits: DenseLimits, jsonLimits: JSONLimits, seed: UInt64, namer: inout LayerNamer
    ) throws(ServiceError) -> ModelSpec {
        var modelValue = value
        if case .string(let text) = value {
            do { modelValue = try JSONParser.parse(Array(text.utf8), limits: jsonLimits) } catch { throw .json(error) }
        }
        guard case .object(let model) = modelValue else {
            throw .badRequest(field: "model", expected: "the object Keras model.to_json() gives, got \(modelValue.typeName)")
        }
        var chain = KerasChain()
        try chain.read(model: model, field: "model", limits: limits)
        return try decodeKerasChain(chain, weights: weights, limits: limits, seed: seed, namer: &namer)
    }

    /// The chain's layers as specs, with `weights` (`model.get_weights()`) handed out in order;
    /// without it the spec is marked ``ModelSpec/missingWeights``.
    static func decodeKerasChain(
        _ chain: KerasChain, weights: JSONValue?, limits: DenseLimits, seed: UInt64, namer: inout LayerNamer
    ) throws(ServiceError) -> ModelSpec {
        var weightList: [JSONValue]? = nil
        switch weights {
        case nil, .null?:
            // Without weights the layers would serve their initializers' random values: a
            // model that answers 201 and then silently predicts the wrong thing.
            weightList = nil
        case .array(let list)?: weightList = list
        case let other?:
            throw .badRequest(
                field: "weights", expected: "the list model.get_weights() gives (kernel then bias for each Dense), got \(other.typeName)")
        }
        var specs: [ChainLayerSpec] = []
        var weightIndex = 0
        var rank = chain.inputShape?.count  // the rank reaching each layer, while known
        for (layer, field) in chain.layers {
            var layerWeights: JSONValue? = nil
            let needed = weightCount(of: layer)
            if let list = weightList {
                guard weightIndex + needed <= list.count else {
                    throw .badRequest(
                        field: "weights",
                        expected:
                            "\(needed) more arrays for \(field) (\(layer["class_name"]?.stringValue ?? "layer")); the list has only \(list.count)"
                    )
                }
                layerWeights = .array(Array(list[weightIndex..<(weightIndex + needed)]))
                weightIndex += needed
            }
            specs.append(
                try decodeChainLayer(
                    layer, field: field, index: specs.count, namer: &namer, seed: seed, limits: limits, outerWeights: layerWeights,
                    inputRank: rank))
            if case .reshape(let reshape, _)? = specs.last { rank = rank.map { _ in 1 + reshape.targetShape.count } }
        }
        if let list = weightList, weightIndex != list.count {
            throw .badRequest(field: "weights", expected: "\(weightIndex) arrays (each layer's weights in order), got \(list.count)")
        }
        guard specs.contains(where: { if case .dense = $0 { true } else { false } }) else {
            throw .badRequest(field: "model.config.layers", expected: "at least one Dense layer")
        }
        guard specs.count <= limits.maxLayers else {
            throw .dense(.limitExceeded(what: "number of layers", value: specs.count, limit: limits.maxLayers))
        }
        try checkUniqueNames(specs)
        var spec = ModelSpec(name: chain.name, layers: specs, declaredInputShape: chain.inputShape)
        spec.declaredInputShapeField = chain.inputShapeField
        spec.inputLayerName = chain.inputLayerName
        if weightList == nil && specs.contains(where: { $0.weightCount > 0 }) {
            spec.missingWeights = true
        }
        return spec
    }

    /// One layer in native or Keras form.
    static func decodeLayer(
        _ object: JSONObject, field: String, index: Int, namer: inout LayerNamer, seed: UInt64, limits: DenseLimits,
        outerWeights: JSONValue?
    ) throws(ServiceError) -> LayerSpec {
        var fields = object
        var configField = field
        var weights = outerWeights
        if object["class_name"] == nil, let own = object["weights"] {
            // A native layer may carry Keras's get_weights() list too: [kernel, bias].
            guard outerWeights == nil else {
                throw .badRequest(field: "\(field).weights", expected: "weights in one place only")
            }
            weights = own
        }
        if let className = object["class_name"] {
            guard className.stringValue == "Dense" else {
                throw .badRequest(field: "\(field).class_name", expected: "\"Dense\", got \(className.excerpt)")
            }
            guard case .object(let config)? = object["config"] else {
                throw .badRequest(field: "\(field).config", expected: "the layer's get_config() object")
            }
            fields = config
            configField = "\(field).config"
            if let own = object["weights"] { weights = own }
            for key in object.keys
            where !["class_name", "config", "weights", "module", "registered_name", "build_config", "name", "inbound_nodes"].contains(key) {
                throw .badRequest(
                    field: "\(field).\(key)",
                    expected: "only class_name, config, weights (and Keras's module, registered_name, build_config)")
            }
        }
        if object["class_name"] == nil && object["config"] != nil {
            throw .badRequest(
                field: "\(field).config",
                expected: "a Keras layer with \"class_name\": \"Dense\" beside \"config\", or the config's fields directly in the layer")
        }
        let allowed =
            configField == field
            ? layerKeys.subtracting(["class_name", "config"]) : layerKeys.subtracting(["class_name", "config", "weights"])
        for key in fields.keys where !allowed.contains(key) && !ignoredKerasKeys.contains(key) {
            throw .badRequest(
                field: "\(configField).\(key)",
                expected:
                    "a Dense field: name, units, activation, use_bias, dtype, trainable, kernel, bias, kernel_initializer, bias_initializer, seed"
            )
        }
        guard let unitsValue = fields["units"] else {
            throw .badRequest(field: "\(configField).units", expected: "the number of output units (a positive integer)")
        }
        guard case .number(let unitsNumber) = unitsValue, let units = TensorDecoder.exactInt(unitsNumber) else {
            throw .badRequest(field: "\(configField).units", expected: "a positive integer, got \(unitsValue.excerpt)")
        }
        let activation: Activation
        switch fields["activation"] {
        case nil, .null?: activation = .linear
        case .string(let name)?:
            do { activation = try Activation(kerasName: name, field: "\(configField).activation") } catch { throw .dense(error) }
        case let other?:
            throw .badRequest(field: "\(configField).activation", expected: "a Keras activation name, got \(other.typeName)")
        }
        let useBias: Bool
        switch fields["use_bias"] {
        case nil: useBias = true
        case .bool(let flag)?: useBias = flag
        case let other?: throw .badRequest(field: "\(configField).use_bias", expected: "true or false, got \(other.typeName)")
        }
        let trainable: Bool
        switch fields["trainable"] {
        case nil: trainable = true
        case .bool(let flag)?: trainable = flag
        case let other?: throw .badRequest(field: "\(configField).trainable", expected: "true or false, got \(other.typeName)")
        }
        let (dtype, mixedFloat16) = try decodePolicy(fields["dtype"], field: "\(configField).dtype")
        let name: String
        switch fields["name"] {
        case nil, .null?: name = namer.next()
        case .string(let text)? where !text.isEmpty && text.utf8.count <= 128: name = text
        case let other?:
            throw .badRequest(field: "\(configField).name", expected: "a non-empty string of at most 128 bytes, got \(other.typeName)")
        }
        var config = LayerConfig(name: name, units: units, activation: activation, useBias: useBias, dtype: dtype, trainable: trainable)
        config.mixedFloat16 = mixedFloat16
        do { try config.validate(field: configField, limits: limits) } catch { throw .dense(error) }

        var layerSeed = seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15
        if let value = fields["seed"], !value.isNull {
            guard case .number(let number) = value, let integer = TensorDecoder.exactInt(number) else {
                throw .badRequest(field: "\(configField).seed", expected: "an integer")
            }
            layerSeed = UInt64(bitPattern: Int64(integer))
        }
        let (kernelInit, kernelSeed) = try decodeInitializer(
            fields["kernel_initializer"], default: .glorotUniform, field: "\(configField).kernel_initializer")
        let (biasInit, _) = try decodeInitializer(fields["bias_initializer"], default: .zeros, field: "\(configField).bias_initializer")
        if let kernelSeed { layerSeed = kernelSeed }

        var kernelValue = fields["kernel"]
        var biasValue = fields["bias"]
        if let weights {
            guard kernelValue == nil && biasValue == nil else {
                throw .badRequest(field: "\(field).weights", expected: "weights either as \"weights\" or as \"kernel\"/\"bias\", not both")
            }
            guard case .array(let list) = weights, list.count == (useBias ? 2 : 1) else {
                throw .badRequest(field: "\(field).weights", expected: useBias ? "[kernel, bias]" : "[kernel] (use_bias is false)")
            }
            kernelValue = list[0]
            biasValue = useBias ? list[1] : nil
        }
        if biasValue?.isNull == true { biasValue = nil }
        var kernel: Tensor? = nil
        var declaredInputDim: Int? = nil
        if let kernelValue {
            // Rounded once to the layer's dtype, from the exact values (as an input is).
            let decoded = try TensorDecoder.decode(kernelValue, field: "\(field).kernel", limits: limits).tensor(roundedFor: dtype)
            guard decoded.rank == 2, decoded.shape[1] == units else {
                throw .dense(
                    .shapeMismatch("\(field).kernel has shape \(decoded.shape) but must be [input_dim, \(units)] for units \(units)"))
            }
            kernel = Tensor(shape: decoded.shape, storage: decoded.storage.converted(to: dtype))
            declaredInputDim = decoded.shape[0]
        } else if let build = fields["build_config"]?["input_shape"] ?? fields["batch_input_shape"] ?? fields["input_shape"], !build.isNull
        {
            declaredInputDim = try TensorDecoder.symbolicShape(build, field: "\(configField).input_shape").last ?? nil
        }
        var bias: Tensor? = nil
        if let biasValue {
            guard useBias else {
                throw .badRequest(field: "\(field).bias", expected: "no bias, because use_bias is false")
            }
            let decoded = try TensorDecoder.decode(biasValue, field: "\(field).bias", limits: limits).tensor(roundedFor: dtype)
            guard decoded.rank == 1, decoded.shape[0] == units else {
                throw .dense(.shapeMismatch("\(field).bias has shape \(decoded.shape) but must be [\(units)] for units \(units)"))
            }
            bias = Tensor(shape: decoded.shape, storage: decoded.storage.converted(to: dtype))
        }
        return LayerSpec(
            config: config, kernel: kernel, bias: bias, kernelInitializer: kernelInit, biasInitializer: biasInit,
            seed: layerSeed, declaredInputDim: declaredInputDim, field: field)
    }

    /// `"float32"`, `"float64"` or a Keras `DTypePolicy` object. Keras's other policies are
    /// well-formed but not served (422): half precision, quantized layers, and
    /// `mixed_float16` where the caller does not take it.
    static func decodeDType(_ value: JSONValue?, field: String, className: String = "Dense") throws(ServiceError) -> DType {
        let (dtype, mixed) = try decodePolicy(value, field: field, className: className)
        if mixed {
            throw .unsupportedLayer(
                field: field, className: className, reason: "dtype policy \"mixed_float16\" is served for Dense and activation layers only")
        }
        return dtype
    }

    /// The compute dtype and whether the policy is `mixed_float16` (float32 variables, float16
    /// compute).
    static func decodePolicy(_ value: JSONValue?, field: String, className: String = "Dense") throws(ServiceError) -> (DType, Bool) {
        var name: String?
        switch value {
        case nil, .null?: return (.float32, false)
        case .string(let text)?: name = text
        case .object(let policy)?:
            if let policyClass = policy["class_name"]?.stringValue, policyClass.contains("Quantized") {
                throw .unsupportedLayer(
                    field: field, className: className, reason: "quantized dtype policies (\(policyClass)) are not served")
            }
            name = policy["config"]?["name"]?.stringValue ?? policy["name"]?.stringValue
        default: name = nil
        }
        if name == "mixed_float16" { return (.float32, true) }
        if let name, ["float16", "bfloat16", "mixed_bfloat16"].contains(name) {
            throw .unsupportedLayer(
                field: field, className: className, reason: "dtype policy \"\(name)\" is not served; float32 and float64 are")
        }
        guard let name, let dtype = DType(rawValue: name) else {
            throw .badRequest(
                field: field, expected: "\"float32\", \"float64\" or \"mixed_float16\" (or a Keras DTypePolicy with one of them)")
        }
        return (dtype, false)
    }

    /// An initializer as a name or a Keras `{"class_name", "config"}` object; returns its seed if set.
    static func decodeInitializer(_ value: JSONValue?, default fallback: Initializer, field: String) throws(ServiceError) -> (
        Initializer, UInt64?
    ) {
        switch value {
        case nil, .null?: return (fallback, nil)
        case .string(let name)?:
            do { return (try Initializer(kerasName: name, field: field), nil) } catch { throw .dense(error) }
        case .object(let object)?:
            guard let name = object["class_name"]?.stringValue else {
                throw .badRequest(field: "\(field).class_name", expected: "an initializer class name such as \"GlorotUniform\"")
            }
            let config = object["config"]?.objectValue ?? JSONObject()
            func number(_ key: String) -> Double? { config[key]?.doubleValue }
            let initializer: Initializer
            do {
                initializer = try Initializer(
                    kerasName: name, value: number("value"), minval: number("minval"), maxval: number("maxval"),
                    mean: number("mean"), stddev: number("stddev"), field: field)
            } catch { throw .dense(error) }
            let seed = number("seed").flatMap(TensorDecoder.exactInt).map { UInt64(bitPattern: Int64($0)) }
            return (initializer, seed)
        default:
            throw .badRequest(field: field, expected: "an initializer name or {\"class_name\", \"config\"}")
        }
    }
}

/// Keras's default layer names: `dense`, `dense_1`, `dropout`, … (snake_case of the class,
/// then a per-class counter).
struct LayerNamer {
    private var counts: [String: Int] = [:]
    mutating func next(_ className: String = "Dense") -> String {
        let base = KerasSaveKey.snakeCase(className)
        let count = counts[base, default: 0]
        counts[base] = count + 1
        return count == 0 ? base : "\(base)_\(count)"
    }
}
