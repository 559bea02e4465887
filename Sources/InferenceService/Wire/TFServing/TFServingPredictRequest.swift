import DenseKernel
import TensorJSON

/// The body of TF Serving's `POST /v1/models/{name}[/versions/{v}]:predict`, as its REST API
/// documents it (https://www.tensorflow.org/tfx/serving/api_rest), for a model with one input
/// named ``TFServing/inputName`` and one output:
///
/// - `instances` (row format): a non-empty list, one item per instance (one batch item: the
///   input without its batch axis), each a nested list of numbers — or every item an object
///   `{"input": <nested list>}` naming the input. The instances are stacked along a new
///   first axis: `[[1, 2, 3], [4, 5, 6]]` is the input `[2, 3]`. Every instance must have
///   the same shape (a ragged list is 422 `ragged_tensor`, naming `instances`).
/// - `inputs` (columnar format): the whole input tensor as a nested list, batch axis
///   included, or `{"input": <nested list>}`.
/// - `signature_name` (optional): `serving_default` (or `""`, TF Serving's "the default");
///   any other is 400 `invalid_request` naming it, as TF Serving refuses an unknown signature
///   with 400.
///
/// Numbers are JSON numbers or `NaN`/`Infinity`/`-Infinity` (TF Serving's JSON mapping for
/// `DT_FLOAT`/`DT_DOUBLE`), kept exact until the first layer rounds them to its dtype — the
/// same decoding as a nested `input` of `/v1/models/{name}/predict`, so the numbers are
/// bitwise those of that route. TF Serving's `{"b64": …}` objects fill `DT_STRING` tensors
/// only; our inputs are float, so one is refused (400) with a pointer to the routes that take
/// raw float bytes. Unknown top-level keys, and objects with other keys than the input's
/// name, are refused (400) rather than ignored.
struct TFServingPredictRequest: Sendable {
    /// Which request format was used: it decides the answer's key.
    enum Format: Sendable {
        /// `instances` in, `{"predictions": …}` out.
        case row
        /// `inputs` in, `{"outputs": …}` out.
        case columnar
    }

    var format: Format
    var input: WireTensor

    static let topLevelKeys = ["signature_name", "instances", "inputs"]

    /// Parses and checks a body (shapes against the model are checked by the plan).
    static func decode(_ body: [UInt8], limits: ServiceLimits) throws(ServiceError) -> TFServingPredictRequest {
        let value: JSONValue
        do { value = try JSONParser.parse(body, limits: limits.json) } catch { throw .json(error) }
        guard case .object(let object) = value else {
            throw .badRequest(field: "body", expected: "a JSON object with \"instances\" or \"inputs\", got \(value.typeName)")
        }
        for key in object.keys where !topLevelKeys.contains(key) {
            throw .badRequest(field: key, expected: "only \"signature_name\", \"instances\" or \"inputs\" (TF Serving's predict request)")
        }
        if let signature = object["signature_name"] {
            guard let name = signature.stringValue else {
                throw .badRequest(field: "signature_name", expected: "a string, got \(signature.typeName)")
            }
            guard name.isEmpty || name == TFServing.signatureName else {
                throw .badRequest(
                    field: "signature_name",
                    expected: "\"\(TFServing.signatureName)\", the model's only signature; got \(JSONValue.string(name).excerpt)")
            }
        }
        switch (object["instances"], object["inputs"]) {
        case (.some, .some):
            throw .badRequest(field: "instances", expected: "either \"instances\" (row format) or \"inputs\" (columnar format), not both")
        case (nil, nil):
            throw .badRequest(field: "body", expected: "\"instances\" (row format) or \"inputs\" (columnar format)")
        case (let instances?, nil):
            return TFServingPredictRequest(format: .row, input: try rows(instances, limits: limits.dense))
        case (nil, let inputs?):
            return TFServingPredictRequest(format: .columnar, input: try columns(inputs, limits: limits.dense))
        }
    }

    /// `instances`: one item per batch item, stacked along a new first axis.
    static func rows(_ value: JSONValue, limits: DenseLimits) throws(ServiceError) -> WireTensor {
        let items: [JSONValue]
        switch value {
        case .numbers:
            throw .dense(
                .shapeMismatch(
                    "instances: each instance is one batch item of the model's input (at least a list of its last dimension), got scalars; e.g. [[1, 2, 3]] for one instance of 3"
                ))
        case .array(let list) where !list.isEmpty: items = list
        case .array: throw .badRequest(field: "instances", expected: "a non-empty list of instances")
        default: throw .badRequest(field: "instances", expected: "a list of instances, got \(value.typeName)")
        }
        let named = isNamedInputs(items[0])
        var values: [JSONValue] = []
        values.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            var field = "instances[\(index)]"
            try refuseBase64(item, field: field)
            var instance = item
            if named {
                guard case .object(let object) = item else {
                    throw .badRequest(
                        field: field, expected: "an object {\"\(TFServing.inputName)\": …} as instances[0] is, got \(item.typeName)")
                }
                instance = try namedInput(object, field: field)
                field += ".\(TFServing.inputName)"
                try refuseBase64(instance, field: field)
            } else if case .object = item {
                throw .badRequest(field: field, expected: "a value or list as instances[0] is, got an object")
            }
            if case .number = instance {
                throw .dense(
                    .shapeMismatch(
                        "\(field): each instance is one batch item of the model's input (at least a list of its last dimension), got a scalar"
                    ))
            }
            values.append(instance)
        }
        let (shape, data) = try TensorDecoder.nested(.array(values), field: "instances", limits: limits)
        return WireTensor(tensor: Tensor(shape: shape, storage: .float64(data)), format: .nested, wireDType: .float64)
    }

    /// `inputs`: the whole input, batch axis included, bare or named.
    static func columns(_ value: JSONValue, limits: DenseLimits) throws(ServiceError) -> WireTensor {
        try refuseBase64(value, field: "inputs")
        var tensor = value
        var field = "inputs"
        if case .object(let object) = value {
            tensor = try namedInput(object, field: "inputs")
            field = "inputs.\(TFServing.inputName)"
            try refuseBase64(tensor, field: field)
        }
        if case .number = tensor {
            throw .dense(.shapeMismatch("\(field): the model's input has a batch axis and a last dimension, got a scalar"))
        }
        let (shape, data) = try TensorDecoder.nested(tensor, field: field, limits: limits)
        return WireTensor(tensor: Tensor(shape: shape, storage: .float64(data)), format: .nested, wireDType: .float64)
    }

    /// Whether an instance names its inputs (an object that is not a `{"b64": …}` value).
    static func isNamedInputs(_ value: JSONValue) -> Bool {
        guard case .object(let object) = value else { return false }
        return !isBase64Object(object)
    }

    static func isBase64Object(_ object: JSONObject) -> Bool { object.count == 1 && object["b64"] != nil }

    /// The value of `{"input": value}`; 400 for a missing input or any other key.
    static func namedInput(_ object: JSONObject, field: String) throws(ServiceError) -> JSONValue {
        for key in object.keys where key != TFServing.inputName {
            throw .badRequest(
                field: "\(field).\(key)", expected: "only the model's one input, \"\(TFServing.inputName)\" (GET …/metadata lists it)")
        }
        guard let value = object[TFServing.inputName] else {
            throw .badRequest(field: field, expected: "the named input \"\(TFServing.inputName)\"")
        }
        return value
    }

    static func refuseBase64(_ value: JSONValue, field: String) throws(ServiceError) {
        guard case .object(let object) = value, isBase64Object(object) else { return }
        throw .badRequest(
            field: "\(field).b64",
            expected:
                "numbers: TF Serving's {\"b64\": …} fills DT_STRING tensors and this model's input is float (for raw float bytes use /v1/models/{name}/predict's {\"shape\", \"dtype\", \"b64\"} or V2 binary data)"
        )
    }
}

/// TF Serving's names for our models: one `serving_default` signature with one input and
/// one output.
enum TFServing {
    static let signatureName = "serving_default"
    static let inputName = "input"
    static let outputName = "output"
    static let methodName = "tensorflow/serving/predict"

    /// `DT_FLOAT` or `DT_DOUBLE`.
    static func dtypeName(_ dtype: DType) -> String { dtype == .float32 ? "DT_FLOAT" : "DT_DOUBLE" }
}
