import DenseKernel
import KerasFile
import TensorJSON

/// A Keras model config (`model.to_json()`, a `.keras` file's `config.json`, an `.h5` file's
/// `model_config`) flattened into one chain of layer objects.
///
/// Served topologies: a `Sequential` (an `InputLayer` may come first; a `Sequential` inside
/// one is flattened), and a `Functional` model with one input and one output in which every
/// layer has exactly one inbound node from the layer before it. The saved input shape's first
/// axis is the batch axis and stays free (`fit(batch_size=8)` without `Input` saves `[8, 8]`).
struct KerasChain {
    /// The model's name (`sequential`, `functional`, or its own).
    var name = "sequential"
    /// Each layer object with its JSON path, in the order they run.
    var layers: [(JSONObject, String)] = []
    /// Where each of ``layers`` keeps its weights in a model file: the Keras 3 key path
    /// (`layers/dense_1`, `layers/sequential/layers/dense`: snake_case class + a per-class
    /// counter in each container's `model.layers` order, not the layer's name) and the legacy
    /// `.h5` top-level layer name (a nested model's weights are all under its own name).
    var locations: [(keyPath: String, legacyName: String)] = []
    /// The saved input shape, batch axis free (`nil`).
    var inputShape: [Int?]?
    var inputShapeField = "input_shape"
    /// A Functional model's InputLayer name (Keras's summary shows it; a Sequential's not).
    var inputLayerName: String?

    /// Nesting deeper than this is refused (a config is bounded by the JSON depth limit too).
    static let maxNesting = 8

    /// Reads the top-level `{"class_name", "config"}` object (or a bare config with `layers`).
    mutating func read(model: JSONObject, field: String, limits: DenseLimits) throws(ServiceError) {
        let className = model["class_name"]?.stringValue
        let config: JSONObject
        switch model["config"] {
        case .object(let inner)?: config = inner
        case nil where className == nil: config = model
        case let other:
            throw .badRequest(field: "\(field).config", expected: "the model's config object, got \(other?.typeName ?? "nothing")")
        }
        if let module = model["module"]?.stringValue, !module.hasPrefix("keras") {
            throw .unsupportedLayer(
                field: "\(field).module", className: className ?? "model",
                reason: "only Keras's own model classes are served, got module \"\(module)\"")
        }
        if let text = config["name"]?.stringValue, !text.isEmpty, text.utf8.count <= 128 { name = text }
        switch className {
        case nil, "Sequential"?:
            try readSequential(config, field: "\(field).config", keyPath: "layers", legacyName: nil, depth: 0, limits: limits)
        case "Functional"?, "Model"?:
            if config["name"] == nil { name = "functional" }
            try readFunctional(config, field: "\(field).config", limits: limits)
        case let other?:
            throw .unsupportedLayer(
                field: "\(field).class_name", className: other,
                reason: "only Sequential models and Functional models that are one chain are served")
        }
        if let shape = inputShape, shape.count >= 2, let batch = shape[0] {
            guard batch >= 1 else {
                throw .dense(
                    .invalidField(
                        field: inputShapeField,
                        expected: "positive dimensions or null (the batch axis), got \(ModelDescription.format(shape))"))
            }
            inputShape![0] = nil
        }
        guard !layers.isEmpty else { throw .badRequest(field: "\(field).config.layers", expected: "at least one Dense layer") }
    }

    private mutating func setInputShape(_ value: JSONValue?, field: String) throws(ServiceError) {
        guard inputShape == nil, let value, !value.isNull else { return }
        inputShape = try TensorDecoder.symbolicShape(value, field: field)
        inputShapeField = field
    }

    private func layerList(_ config: JSONObject, field: String, limits: DenseLimits) throws(ServiceError) -> [JSONValue] {
        guard case .array(let items)? = config["layers"] else { throw .badRequest(field: "\(field).layers", expected: "a list of layers") }
        guard layers.count + items.count <= limits.maxLayers + Self.maxNesting + 1 else {
            throw .dense(.limitExceeded(what: "number of layers", value: layers.count + items.count, limit: limits.maxLayers))
        }
        return items
    }

    private mutating func readSequential(
        _ config: JSONObject, field: String, keyPath: String, legacyName: String?, depth: Int, limits: DenseLimits
    ) throws(ServiceError) {
        let items = try layerList(config, field: field, limits: limits)
        var objects: [JSONObject] = []
        for (index, item) in items.enumerated() {
            guard case .object(let layer) = item else { throw .badRequest(field: "\(field).layers[\(index)]", expected: "a layer object") }
            objects.append(layer)
        }
        // A Sequential's `model.layers` leaves its InputLayer out, so the keys do too.
        let keyed = objects.filter { $0["class_name"]?.stringValue != "InputLayer" }
        var keys = KerasSaveKey.keys(forClassNames: keyed.map { $0["class_name"]?.stringValue ?? "" })[...]
        for (index, layer) in objects.enumerated() {
            let key = layer["class_name"]?.stringValue == "InputLayer" ? "" : keys.popFirst()!
            let name = legacyName ?? layer["config"]?["name"]?.stringValue ?? layer["name"]?.stringValue ?? ""
            try readLayer(
                layer, field: "\(field).layers[\(index)]", first: index == 0, keyPath: keyPath + "/" + key, legacyName: name, depth: depth,
                limits: limits)
        }
        try setInputShape(config["build_input_shape"], field: "\(field).build_input_shape")
    }

    private mutating func readLayer(
        _ layer: JSONObject, field: String, first: Bool, keyPath: String, legacyName: String, depth: Int, limits: DenseLimits
    ) throws(ServiceError) {
        switch layer["class_name"]?.stringValue {
        case "InputLayer"?:
            guard first else {
                throw .unsupportedLayer(field: field, className: "InputLayer", reason: "an InputLayer may only come first")
            }
            let config = layer["config"]?.objectValue ?? JSONObject()
            let key = config["batch_shape"] != nil ? "batch_shape" : "batch_input_shape"
            try setInputShape(config[key], field: "\(field).config.\(key)")
        case "Sequential"?:
            guard depth < Self.maxNesting else {
                throw .unsupportedLayer(
                    field: field, className: "Sequential", reason: "models nested deeper than \(Self.maxNesting) are not served")
            }
            guard case .object(let inner)? = layer["config"] else { throw .badRequest(field: "\(field).config", expected: "an object") }
            let outerShape = inputShape
            try readSequential(
                inner, field: "\(field).config", keyPath: keyPath + "/layers", legacyName: legacyName, depth: depth + 1, limits: limits)
            if outerShape == nil && !first { inputShape = nil }  // a nested model's shape names only its own input
        case nil:
            throw .badRequest(field: "\(field).class_name", expected: "a Keras layer class such as \"Dense\"")
        default:
            layers.append((layer, field))
            locations.append((keyPath, legacyName))
        }
    }

    /// A Functional model: follows the one chain from the input layer to the output layer.
    private mutating func readFunctional(_ config: JSONObject, field: String, limits: DenseLimits) throws(ServiceError) {
        let items = try layerList(config, field: field, limits: limits)
        // A Functional model's `model.layers` holds its InputLayer too, in the config's order.
        let keys = KerasSaveKey.keys(forClassNames: items.map { $0["class_name"]?.stringValue ?? "" })
        let inputs = Self.endpoints(config["input_layers"])
        let outputs = Self.endpoints(config["output_layers"])
        guard inputs.count == 1, outputs.count == 1 else {
            throw .unsupportedLayer(
                field: "\(field).input_layers", className: "Functional",
                reason: "only one input and one output are served, got \(inputs.count) and \(outputs.count)")
        }
        var byName: [String: (JSONObject, String, String)] = [:]
        var next: [String: String] = [:]  // source layer → the one layer it feeds
        for (index, item) in items.enumerated() {
            let itemField = "\(field).layers[\(index)]"
            guard case .object(let layer) = item else { throw .badRequest(field: itemField, expected: "a layer object") }
            guard let layerName = layer["name"]?.stringValue ?? layer["config"]?["name"]?.stringValue else {
                throw .badRequest(field: "\(itemField).name", expected: "the layer's name")
            }
            guard byName[layerName] == nil else {
                throw .badRequest(field: "\(itemField).name", expected: "a unique layer name; \"\(layerName)\" is used twice")
            }
            byName[layerName] = (layer, itemField, "layers/" + keys[index])
            let className = layer["class_name"]?.stringValue ?? "layer"
            let sources = try Self.inboundSources(layer["inbound_nodes"], field: "\(itemField).inbound_nodes", className: className)
            if className == "InputLayer" {
                guard sources.isEmpty else { throw .badRequest(field: "\(itemField).inbound_nodes", expected: "none for an InputLayer") }
                continue
            }
            guard sources.count == 1 else {
                throw .unsupportedLayer(
                    field: "\(itemField).inbound_nodes", className: className,
                    reason: "every layer must take exactly one input from the layer before it (one chain), got \(sources.count)")
            }
            guard next[sources[0]] == nil else {
                throw .unsupportedLayer(
                    field: itemField, className: className, reason: "layer \"\(sources[0])\" feeds two layers: branches are not served")
            }
            next[sources[0]] = layerName
        }
        guard let (inputLayer, inputField, _) = byName[inputs[0]], inputLayer["class_name"]?.stringValue == "InputLayer" else {
            throw .badRequest(field: "\(field).input_layers", expected: "the name of the model's InputLayer")
        }
        try readLayer(inputLayer, field: inputField, first: true, keyPath: "", legacyName: inputs[0], depth: 0, limits: limits)
        if inputs[0].utf8.count <= 128 { inputLayerName = inputs[0] }
        var current = inputs[0]
        var visited = 1
        while let following = next[current] {
            guard visited <= items.count, let (layer, itemField, keyPath) = byName[following] else {
                throw .badRequest(field: "\(field).layers", expected: "inbound nodes naming layers of the model")
            }
            try readLayer(layer, field: itemField, first: false, keyPath: keyPath, legacyName: following, depth: 0, limits: limits)
            visited += 1
            current = following
        }
        guard current == outputs[0], visited == items.count else {
            throw .unsupportedLayer(
                field: "\(field).output_layers", className: "Functional",
                reason: "the layers do not form one chain from \"\(inputs[0])\" to \"\(outputs[0])\"")
        }
    }

    /// Names in `input_layers` / `output_layers`: `[["name", 0, 0], …]` (or one `["name", 0, 0]`).
    static func endpoints(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        if let first = items.first, case .string(let name) = first { return [name] }
        return items.compactMap { item in
            if case .array(let parts) = item, let name = parts.first?.stringValue { return name }
            return nil
        }
    }

    /// The names of the layers whose outputs a layer takes, from its `inbound_nodes`: Keras 3's
    /// `[{"args": [<__keras_tensor__>], "kwargs": {…}}]` or Keras 2's `[[["name", 0, 0, {}]]]`.
    /// A layer called twice (two nodes) or on a list of tensors (a merge) gives several names.
    static func inboundSources(_ value: JSONValue?, field: String, className: String) throws(ServiceError) -> [String] {
        guard let value, !value.isNull else { return [] }
        guard case .array(let nodes) = value else { throw .badRequest(field: field, expected: "a list of nodes") }
        if case .numbers(let numbers) = value, numbers.isEmpty { return [] }
        var names: [String] = []
        for node in nodes {
            switch node {
            case .object(let call):
                var tensors: [JSONValue] = []
                if case .array(let args)? = call["args"] {
                    for arg in args {
                        if case .array(let list) = arg { tensors += list } else { tensors.append(arg) }
                    }
                }
                if case .object(let kwargs)? = call["kwargs"] {
                    for key in kwargs.keys where kwargs[key]?["class_name"]?.stringValue == "__keras_tensor__" {
                        tensors.append(kwargs[key]!)
                    }
                }
                for tensor in tensors {
                    guard let history = tensor["config"]?["keras_history"], case .array(let parts) = history,
                        let name = parts.first?.stringValue
                    else { throw .badRequest(field: field, expected: "Keras tensors with a keras_history") }
                    names.append(name)
                }
            case .array(let tensors):
                for tensor in tensors {
                    guard case .array(let parts) = tensor, let name = parts.first?.stringValue else {
                        throw .badRequest(field: field, expected: "[layer_name, node_index, tensor_index, kwargs] entries")
                    }
                    names.append(name)
                }
            default:
                throw .badRequest(field: field, expected: "nodes as objects (Keras 3) or lists (Keras 2)")
            }
        }
        return names
    }
}
