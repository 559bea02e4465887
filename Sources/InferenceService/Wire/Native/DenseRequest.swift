import DenseKernel
import TensorJSON

/// The body of `POST /v1/dense` (and of `dense-server predict`): a model plus either an
/// input tensor (run it) or an `input_shape` (shapes and parameters only).
public struct DenseRequest: Sendable {
    public var model: ModelSpec
    public var input: WireTensor?
    public var inputShape: [Int?]?
    /// `output_format`: overrides the form of `output.data` (default: the input's form).
    public var outputFormat: TensorFormat?

    static let topLevelKeys: Set<String> = ["layer", "layers", "model", "weights", "input", "input_shape", "output_format", "seed"]

    /// Parses and validates a request body.
    public static func decode(_ bytes: [UInt8], limits: ServiceLimits) throws(ServiceError) -> DenseRequest {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes, limits: limits.json) } catch { throw .json(error) }
        guard case .object(let body) = value else {
            throw .badRequest(field: "body", expected: "a JSON object, got \(value.typeName)")
        }
        for key in body.keys where !topLevelKeys.contains(key) {
            throw .badRequest(field: key, expected: "one of the request fields \(topLevelKeys.sorted().joined(separator: ", "))")
        }
        let seed = try decodeSeed(body["seed"])
        let model = try ModelDecoder.decode(body: body, limits: limits.dense, jsonLimits: limits.json, seed: seed)
        return try decodeRunPart(body, model: model, limits: limits, inputRequired: false)
    }

    /// Reads `input` / `input_shape` / `output_format` against an already known model
    /// (the predict route of a registered model uses this alone).
    public static func decodeRunPart(_ body: JSONObject, model: ModelSpec, limits: ServiceLimits, inputRequired: Bool) throws(ServiceError)
        -> DenseRequest
    {
        var request = DenseRequest(model: model, input: nil, inputShape: nil, outputFormat: nil)
        switch (body["input"], body["input_shape"]) {
        case (.some, .some):
            throw .badRequest(field: "input", expected: "either \"input\" (run the model) or \"input_shape\" (shapes only), not both")
        case (nil, nil):
            throw .badRequest(
                field: "input",
                expected: inputRequired ? "the input tensor" : "\"input\" (a tensor to run) or \"input_shape\" such as [null, 20, 5]")
        case (let input?, nil):
            request.input = try TensorDecoder.decode(input, field: "input", limits: limits.dense)
        case (nil, let shape?):
            if inputRequired { throw .badRequest(field: "input", expected: "the input tensor") }
            let symbolic = try TensorDecoder.symbolicShape(shape, field: "input_shape")
            guard !symbolic.isEmpty, symbolic.count <= limits.dense.maxRank else {
                throw .badRequest(field: "input_shape", expected: "a shape of rank 1 to \(limits.dense.maxRank)")
            }
            for dimension in symbolic {
                if let dimension, dimension < 1 { throw .dense(.emptyDimension(field: "input_shape", shape: symbolic.map { $0 ?? -1 })) }
            }
            request.inputShape = symbolic
        }
        if let format = body["output_format"] {
            guard let name = format.stringValue, let parsed = TensorFormat(rawValue: name) else {
                throw .badRequest(field: "output_format", expected: "\"nested\", \"flat\" or \"b64\"")
            }
            request.outputFormat = parsed
        }
        return request
    }

    static func decodeSeed(_ value: JSONValue?) throws(ServiceError) -> UInt64 {
        guard let value, !value.isNull else { return 0 }
        guard case .number(let number) = value, let integer = TensorDecoder.exactInt(number) else {
            throw .badRequest(field: "seed", expected: "an integer")
        }
        return UInt64(bitPattern: Int64(integer))
    }
}

/// Limits for one request, JSON and tensor side.
public struct ServiceLimits: Sendable {
    public var json: JSONLimits
    public var dense: DenseLimits

    public init(json: JSONLimits = .default, dense: DenseLimits = .default) {
        self.json = json
        self.dense = dense
    }
}
