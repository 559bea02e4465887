import DenseKernel
import TensorJSON

/// The Keras layers other than Dense that a served chain may hold, and the model topologies
/// (Sequential, nested Sequential, a Functional chain) that flatten into one chain.
extension ModelDecoder {
    /// Layers that are the identity at inference.
    static let identityClasses: Set<String> = ["Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout"]
    /// Every class a chain may hold (InputLayer and Sequential are read by the model decoder).
    static let chainClasses: [String] = [
        "Dense", "Activation", "Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout", "BatchNormalization",
        "LayerNormalization", "ReLU", "LeakyReLU", "ELU", "Softmax", "Flatten", "Reshape",
    ]
    /// Config keys of the weight-light layers that do not change inference.
    static let ignoredLayerKeys: Set<String> = [
        "name", "trainable", "dtype", "rate", "seed", "noise_shape", "stddev", "momentum", "beta_initializer",
        "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer",
        "gamma_regularizer", "beta_constraint", "gamma_constraint", "synchronized", "batch_input_shape", "input_shape",
        "batch_size", "renorm", "renorm_clipping", "renorm_momentum", "fused", "virtual_batch_size", "adjustment",
    ]

    /// How many arrays of `model.get_weights()` a layer object owns, in Keras's order.
    static func weightCount(of layer: JSONObject) -> Int {
        let config = layer["config"]?.objectValue ?? JSONObject()
        func flag(_ key: String) -> Bool { config[key]?.boolValue ?? true }
        switch layer["class_name"]?.stringValue {
        case "Dense": return flag("use_bias") ? 2 : 1
        case "BatchNormalization": return (flag("scale") ? 1 : 0) + (flag("center") ? 1 : 0) + 2
        case "LayerNormalization": return (flag("scale") ? 1 : 0) + (flag("center") ? 1 : 0)
        default: return 0
        }
    }

    /// A Keras layer object (`{"class_name", "config"}`) of a class other than Dense.
    /// - Parameter inputRank: the rank of the layer's input when the model declares its
    ///   input shape (so a Keras 2 `axis: [1]` can be told to be the last axis).
    static func decodeKerasLayer(
        _ object: JSONObject, className: String, field: String, weights: JSONValue?, limits: DenseLimits, namer: inout LayerNamer,
        inputRank: Int? = nil
    ) throws(ServiceError) -> ChainLayerSpec {
        guard chainClasses.contains(className) else {
            throw .unsupportedLayer(field: field, className: className, reason: unsupportedReason(className))
        }
        if let module = object["module"]?.stringValue, !module.hasPrefix("keras") {
            throw .unsupportedLayer(
                field: "\(field).module", className: className, reason: "only Keras's own layers are served, got module \"\(module)\"")
        }
        if let registered = object["registered_name"], !registered.isNull, registered.stringValue != className {
            throw .unsupportedLayer(
                field: "\(field).registered_name", className: className, reason: "a custom (registered) class is never deserialized")
        }
        for key in object.keys
        where !["class_name", "config", "weights", "module", "registered_name", "build_config", "name", "inbound_nodes"].contains(key) {
            throw .badRequest(
                field: "\(field).\(key)",
                expected: "only class_name, config, weights (and Keras's module, registered_name, build_config, name, inbound_nodes)")
        }
        let config: JSONObject
        switch object["config"] {
        case nil: config = JSONObject()
        case .object(let inner)?: config = inner
        case let other?: throw .badRequest(field: "\(field).config", expected: "the layer's get_config() object, got \(other.typeName)")
        }
        let configField = "\(field).config"
        let name: String
        switch config["name"] ?? object["name"] {
        case nil, .null?: name = namer.next(className)
        case .string(let text)? where !text.isEmpty && text.utf8.count <= 128: name = text
        case let other?:
            throw .badRequest(field: "\(configField).name", expected: "a non-empty string of at most 128 bytes, got \(other.typeName)")
        }
        let (dtype, mixedFloat16) = try decodePolicy(config["dtype"], field: "\(configField).dtype", className: className)
        if mixedFloat16 && (className == "BatchNormalization" || className == "LayerNormalization") {
            throw .unsupportedLayer(
                field: "\(configField).dtype", className: className,
                reason: "dtype policy \"mixed_float16\" is served for Dense and activation layers only")
        }
        let trainable = try bool(config["trainable"], default: true, field: "\(configField).trainable")
        let arrays = try weightArrays(weights, field: field)
        if weightCount(of: object) == 0, let arrays, !arrays.isEmpty {
            throw .badRequest(field: "\(field).weights", expected: "no weights: a \(className) layer has none, got \(arrays.count)")
        }
        func elementwise(_ function: ElementwiseFunction) -> ChainLayerSpec {
            var layer = ElementwiseLayer(name: name, className: className, function: function, dtype: dtype)
            layer.mixedFloat16 = mixedFloat16
            return .elementwise(layer, field: field)
        }
        switch className {
        case "Activation":
            switch config["activation"] {
            case .string(let activationName)?:
                do { return elementwise(.activation(try Activation(kerasName: activationName, field: "\(configField).activation"))) } catch
                {
                    throw .dense(error)
                }
            case nil, .null?: return elementwise(.activation(.linear))
            case let other?:
                throw .badRequest(field: "\(configField).activation", expected: "a Keras activation name, got \(other.typeName)")
            }
        case "ReLU":
            let maxValue = try number(config["max_value"], default: nil, field: "\(configField).max_value")
            let slope = try number(config["negative_slope"], default: 0, field: "\(configField).negative_slope")!
            let threshold = try number(config["threshold"], default: 0, field: "\(configField).threshold")!
            if let maxValue, maxValue < 0 {
                throw .badRequest(field: "\(configField).max_value", expected: "a value ≥ 0 or null, got \(maxValue)")
            }
            if maxValue == nil && slope == 0 && threshold == 0 { return elementwise(.activation(.relu)) }
            return elementwise(.relu(maxValue: maxValue, negativeSlope: slope, threshold: threshold))
        case "LeakyReLU":
            // Keras 3 names it negative_slope, Keras 2 alpha; the layer's default is 0.3.
            let slope = try number(config["negative_slope"] ?? config["alpha"], default: 0.3, field: "\(configField).negative_slope")!
            return elementwise(.leakyReLU(negativeSlope: slope))
        case "ELU":
            return elementwise(.elu(alpha: try number(config["alpha"], default: 1, field: "\(configField).alpha")!))
        case "Softmax":
            try requireLastAxis(config["axis"], field: "\(configField).axis", className: className, inputRank: inputRank)
            return elementwise(.activation(.softmax))
        case "Flatten":
            if let format = config["data_format"]?.stringValue, format == "channels_first" {
                throw .unsupportedLayer(
                    field: "\(configField).data_format", className: className, reason: "only data_format \"channels_last\" is served")
            }
            return .reshape(ReshapeLayer(name: name, className: className, targetShape: [-1]), field: field)
        case "Reshape":
            guard let target = config["target_shape"] else {
                throw .badRequest(field: "\(configField).target_shape", expected: "the shape of one sample, such as [4, 25]")
            }
            let shape = try TensorDecoder.symbolicShape(target, field: "\(configField).target_shape")
            let dims = shape.map { $0 ?? -1 }
            guard !dims.isEmpty, dims.count <= limits.maxRank, dims.allSatisfy({ $0 == -1 || $0 >= 1 }),
                dims.filter({ $0 == -1 }).count <= 1
            else {
                throw .badRequest(
                    field: "\(configField).target_shape",
                    expected: "positive dimensions with at most one -1, got \(ModelDescription.format(shape))")
            }
            return .reshape(ReshapeLayer(name: name, className: className, targetShape: dims), field: field)
        case "BatchNormalization", "LayerNormalization":
            let kind: NormalizationKind = className == "BatchNormalization" ? .batch : .layer
            try requireLastAxis(config["axis"], field: "\(configField).axis", className: className, inputRank: inputRank)
            if kind == .layer, try bool(config["rms_scaling"], default: false, field: "\(configField).rms_scaling") {
                throw .unsupportedLayer(field: "\(configField).rms_scaling", className: className, reason: "rms_scaling is not served")
            }
            let epsilon = try number(config["epsilon"], default: 1e-3, field: "\(configField).epsilon")!
            guard epsilon >= 0 else { throw .badRequest(field: "\(configField).epsilon", expected: "a value ≥ 0, got \(epsilon)") }
            let normalization = NormalizationConfig(
                name: name, kind: kind, epsilon: epsilon, center: try bool(config["center"], default: true, field: "\(configField).center"),
                scale: try bool(config["scale"], default: true, field: "\(configField).scale"), dtype: dtype, trainable: trainable)
            var tensors: [Tensor]? = nil
            if let arrays {
                let names = normalization.weightNames
                guard arrays.count == names.count else {
                    throw .badRequest(field: "\(field).weights", expected: "\(names.count) arrays: \(names.joined(separator: ", "))")
                }
                var decoded: [Tensor] = []
                for (index, array) in arrays.enumerated() {
                    let tensor = try TensorDecoder.decode(array, field: "\(field).weights[\(index)]", limits: limits).tensor(
                        roundedFor: dtype)
                    guard tensor.rank == 1, tensor.count == (decoded.first?.count ?? tensor.count) else {
                        throw .dense(
                            .shapeMismatch(
                                "\(field).weights[\(index)] (\(names[index])) has shape \(tensor.shape) but must be [channels], as long as the others"
                            ))
                    }
                    decoded.append(Tensor(shape: tensor.shape, storage: tensor.storage.converted(to: dtype)))
                }
                tensors = decoded
            }
            return .normalization(normalization, weights: tensors, field: field)
        default:  // the identity layers
            return elementwise(.identity)
        }
    }

    /// Why a class outside ``chainClasses`` is refused (the message names what to do instead).
    static func unsupportedReason(_ className: String) -> String {
        switch className {
        case "Lambda": return "a Lambda layer holds Python bytecode, which is never deserialized"
        case "InputLayer": return "an InputLayer may only come first"
        case "Sequential", "Functional", "Model":
            return "a nested model is served only as a Sequential inside a Sequential"
        case let name
        where name.hasPrefix("Conv") || name.contains("Pooling") || name.hasSuffix("RNN") || name == "LSTM"
            || name == "GRU" || name == "Embedding":
            return "only straight chains of \(chainClasses.joined(separator: ", ")) are served"
        case "Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot":
            return "merges and branches are not served; the model must be one chain"
        default: return "only \(chainClasses.joined(separator: ", ")) (and InputLayer first) are served"
        }
    }

    /// Keras's `axis: -1` (or `[-1]`), or the last axis by its index (Keras 2 saves
    /// `axis: [1]` for a rank-2 input): the only axis these layers are served on.
    static func requireLastAxis(_ value: JSONValue?, field: String, className: String, inputRank: Int?) throws(ServiceError) {
        var axis: Double?
        switch value {
        case nil, .null?: return
        case .number(let number)?: axis = number
        case .numbers(let numbers)? where numbers.count == 1: axis = numbers[0]
        case .array(let items)? where items.count == 1: axis = items[0].doubleValue
        default: axis = nil
        }
        if axis == -1 { return }
        if let axis, let inputRank, axis == Double(inputRank - 1) { return }
        throw .unsupportedLayer(
            field: field, className: className,
            reason: "only the last axis (-1\(inputRank.map { " or \($0 - 1)" } ?? "")) is served, got \(value!.excerpt)")
    }

    static func number(_ value: JSONValue?, default fallback: Double?, field: String) throws(ServiceError) -> Double? {
        switch value {
        case nil, .null?: return fallback
        case .number(let number)? where number.isFinite: return number
        case let other?: throw .badRequest(field: field, expected: "a finite number, got \(other.excerpt)")
        }
    }

    static func bool(_ value: JSONValue?, default fallback: Bool, field: String) throws(ServiceError) -> Bool {
        switch value {
        case nil, .null?: return fallback
        case .bool(let flag)?: return flag
        case let other?: throw .badRequest(field: field, expected: "true or false, got \(other.typeName)")
        }
    }

    static func weightArrays(_ weights: JSONValue?, field: String) throws(ServiceError) -> [JSONValue]? {
        switch weights {
        case nil, .null?: return nil
        case .array(let list)?: return list
        case .numbers(let numbers)? where numbers.isEmpty: return []
        case let other?: throw .badRequest(field: "\(field).weights", expected: "a list of weight arrays, got \(other.typeName)")
        }
    }
}
