import DenseKernel
import TensorJSON

/// Names and datatypes of the Open Inference Protocol (KServe V2) as DenseServe uses them.
public enum V2Protocol {
    /// The one input tensor of every registered model.
    public static let inputName = "input"
    /// The one output tensor of every registered model.
    public static let outputName = "output"
    /// `platform` in model metadata and config.
    public static let platform = "keras_dense"
    /// Protocol extensions reported by `GET /v2`.
    public static let extensions = ["binary_tensor_data", "model_configuration"]
    /// The request and response header giving the JSON length when binary tensor data follows.
    public static let headerLengthField = "Inference-Header-Content-Length"

    /// The value of ``headerLengthField``: ASCII digits only (no sign), at most 18 of them.
    static func headerLength(_ text: Substring) -> Int? {
        let bytes = text.utf8
        guard (1...18).contains(bytes.count), bytes.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - 48) }
    }

    /// The wire dtype of a V2 datatype name (`FP32`, `INT8`, `BOOL`, …); nil for `BYTES`
    /// and unknown names.
    public static func wireDType(_ datatype: String) -> WireDType? {
        switch datatype {
        case "FP32": .float32
        case "FP64": .float64
        case "FP16": .float16
        case "BF16": .bfloat16
        case "INT8": .int8
        case "INT16": .int16
        case "INT32": .int32
        case "INT64": .int64
        case "UINT8": .uint8
        case "UINT16": .uint16
        case "UINT32": .uint32
        case "UINT64": .uint64
        case "BOOL": .bool
        default: nil
        }
    }

    static let datatypeNames = [
        "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BF16",
    ]

    /// `FP32` or `FP64`.
    public static func datatype(of dtype: DType) -> String { dtype == .float32 ? "FP32" : "FP64" }
}

/// A decoded `POST /v2/models/{name}[/versions/{v}]/infer` body: the JSON inference
/// request, followed by binary tensor data when `Inference-Header-Content-Length` is given.
///
/// Framing (Triton's binary tensor data extension): the first
/// `Inference-Header-Content-Length` bytes are the JSON object; each input with
/// `parameters.binary_data_size` takes that many bytes, in input order, from what follows;
/// the sizes must add up to exactly the rest of the body. Every framing problem is a 400.
struct V2InferenceRequest {
    /// `id`, echoed in the response.
    var id: String?
    /// The one input, cast as Keras casts (integers and bools to float, half widened).
    var input: WireTensor
    /// One entry per output to return, in request order: whether it goes as binary data.
    var outputsBinary: [Bool]

    static func decode(body: [UInt8], headerLength: String?, limits: ServiceLimits) throws(ServiceError) -> V2InferenceRequest {
        var jsonLength = body.count
        if let headerLength {
            guard let length = V2Protocol.headerLength(headerLength.trimmingSpaces) else {
                throw .binaryFraming("\(V2Protocol.headerLengthField) must be a non-negative integer, got \"\(headerLength)\"")
            }
            guard length <= body.count else {
                throw .binaryFraming("\(V2Protocol.headerLengthField) is \(length) but the body has only \(body.count) bytes")
            }
            jsonLength = length
        }
        let value: JSONValue
        do {
            value = try body.withUnsafeBytes { raw in
                Result { () throws(JSONError) -> JSONValue in
                    try JSONParser.parse(UnsafeRawBufferPointer(rebasing: raw[0..<jsonLength]), limits: limits.json)
                }
            }.get()
        } catch {
            // A header length that covers the whole body has swallowed the binary part: say so
            // rather than only that the "JSON" is malformed.
            if headerLength != nil && jsonLength == body.count && jsonLength > 0 {
                throw .binaryFraming(
                    "\(V2Protocol.headerLengthField) is \(jsonLength), the whole body, and those bytes are not one JSON value (\(error.message)); it must count only the JSON header, not the binary data after it"
                )
            }
            throw .json(error)
        }
        guard case .object(let object) = value else {
            throw .badRequest(field: "body", expected: "a JSON inference request object with \"inputs\", got \(value.typeName)")
        }
        var id: String? = nil
        if let idValue = object["id"] {
            guard let text = idValue.stringValue else { throw .badRequest(field: "id", expected: "a string") }
            id = text
        }
        var binaryOutput = false
        if let parameters = object["parameters"] {
            guard case .object(let members) = parameters else { throw .badRequest(field: "parameters", expected: "an object") }
            if let flag = members["binary_data_output"] {
                guard let value = flag.boolValue else {
                    throw .badRequest(field: "parameters.binary_data_output", expected: "true or false")
                }
                binaryOutput = value
            }
        }
        guard case .array(let inputs)? = object["inputs"] else {
            throw .badRequest(field: "inputs", expected: "a list with one input tensor named \"\(V2Protocol.inputName)\"")
        }
        guard inputs.count == 1 else {
            throw .badRequest(field: "inputs", expected: "exactly one input tensor named \"\(V2Protocol.inputName)\", got \(inputs.count)")
        }
        var offset = jsonLength
        let input = try decodeInput(
            inputs[0], field: "inputs[0]", body: body, offset: &offset, binaryAllowed: headerLength != nil, limits: limits)
        guard offset == body.count else {
            throw .binaryFraming("\(body.count - offset) bytes after the JSON header are not claimed by any input's binary_data_size")
        }
        var outputsBinary: [Bool] = []
        if let outputs = object["outputs"] {
            guard case .array(let items) = outputs else {
                throw .badRequest(field: "outputs", expected: "a list of requested outputs")
            }
            for (index, item) in items.enumerated() {
                let field = "outputs[\(index)]"
                guard case .object(let output) = item else { throw .badRequest(field: field, expected: "an object with \"name\"") }
                guard let name = output["name"]?.stringValue else { throw .badRequest(field: "\(field).name", expected: "a string") }
                guard name == V2Protocol.outputName else {
                    throw .badRequest(
                        field: "\(field).name", expected: "\"\(V2Protocol.outputName)\" (the model's only output), got \"\(name)\"")
                }
                var binary = binaryOutput
                if let parameters = output["parameters"] {
                    guard case .object(let members) = parameters else {
                        throw .badRequest(field: "\(field).parameters", expected: "an object")
                    }
                    if let flag = members["binary_data"] {
                        guard let value = flag.boolValue else {
                            throw .badRequest(field: "\(field).parameters.binary_data", expected: "true or false")
                        }
                        binary = value
                    }
                    if let classes = members["classification"], classes.intValue != 0 {
                        throw .badRequest(
                            field: "\(field).parameters.classification",
                            expected: "no classification (the classification extension is not supported)")
                    }
                }
                outputsBinary.append(binary)
            }
            guard outputsBinary.count <= 1 else {
                throw .badRequest(field: "outputs", expected: "\"\(V2Protocol.outputName)\" at most once")
            }
        }
        if object["outputs"] == nil { outputsBinary = [binaryOutput] }
        return V2InferenceRequest(id: id, input: input, outputsBinary: outputsBinary)
    }

    /// Decodes one `$request_input`, taking its binary data from `body[offset...]`.
    static func decodeInput(
        _ value: JSONValue, field: String, body: [UInt8], offset: inout Int, binaryAllowed: Bool, limits: ServiceLimits
    ) throws(ServiceError) -> WireTensor {
        guard case .object(let input) = value else {
            throw .badRequest(field: field, expected: "an object with name, shape, datatype and data")
        }
        guard let name = input["name"]?.stringValue else { throw .badRequest(field: "\(field).name", expected: "a string") }
        guard name == V2Protocol.inputName else {
            throw .badRequest(field: "\(field).name", expected: "\"\(V2Protocol.inputName)\" (the model's only input), got \"\(name)\"")
        }
        guard let shapeValue = input["shape"] else {
            throw .badRequest(field: "\(field).shape", expected: "the tensor shape, a list of integers")
        }
        let shape = try TensorDecoder.intList(shapeValue, field: "\(field).shape")
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw .badRequest(field: "\(field).shape", expected: "non-negative dimensions, got \(shape)")
        }
        do { try Tensor.validateShape(shape, limits: limits.dense, field: "\(field).shape") } catch { throw .dense(error) }
        let count = shape.checkedProduct()!
        guard let datatypeName = input["datatype"]?.stringValue else {
            throw .badRequest(field: "\(field).datatype", expected: "a V2 datatype such as \"FP32\"")
        }
        guard let dtype = V2Protocol.wireDType(datatypeName) else {
            throw .badRequest(
                field: "\(field).datatype",
                expected: "a numeric datatype (\(V2Protocol.datatypeNames.joined(separator: ", "))), got \"\(datatypeName)\"")
        }
        var binarySize: Int? = nil
        if let parameters = input["parameters"] {
            guard case .object(let members) = parameters else { throw .badRequest(field: "\(field).parameters", expected: "an object") }
            if let size = members["binary_data_size"] {
                guard let bytes = size.intValue, bytes >= 0 else {
                    throw .binaryFraming("\(field).parameters.binary_data_size must be a non-negative integer")
                }
                binarySize = bytes
            }
        }
        switch (input["data"], binarySize) {
        case (.some, .some):
            throw .binaryFraming("\(field) has both \"data\" and parameters.binary_data_size; send one")
        case (nil, nil):
            throw .badRequest(
                field: "\(field).data", expected: "the tensor values, or parameters.binary_data_size with binary data after the JSON")
        case (let data?, nil):
            let values = try flatten(data, shape: shape, dtype: dtype, field: "\(field).data")
            guard values.count == count else {
                throw .shapeDataMismatch("\(field): shape \(shape) has \(count) elements but data has \(values.count)")
            }
            let storage = try TensorDecoder.cast(values, to: dtype, field: "\(field).data")
            return WireTensor(tensor: Tensor(shape: shape, storage: storage), format: .flat, wireDType: dtype)
        case (nil, let size?):
            guard binaryAllowed else {
                throw .binaryFraming("\(field) has binary_data_size but the request has no \(V2Protocol.headerLengthField) header")
            }
            let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
            guard !overflow, size == needed else {
                throw .binaryFraming(
                    "\(field).parameters.binary_data_size is \(size) but shape \(shape) of \(datatypeName) needs \(needed) bytes")
            }
            guard size <= body.count - offset else {
                throw .binaryFraming("\(field) needs \(size) bytes of binary data but only \(body.count - offset) remain in the body")
            }
            let bytes = body[offset..<(offset + size)]
            let storage = try RawTensorCodec.decode(bytes: bytes, dtype: dtype, count: count, field: field)
            offset += size
            return WireTensor(
                tensor: Tensor(shape: shape, storage: storage), format: .flat, wireDType: dtype,
                exactIntegers: RawTensorCodec.exactIntegers(bytes: bytes, dtype: dtype, count: count))
        }
    }

    /// The values of `data`, flat (`[1, 2, 3, 4]`) or nested by the shape
    /// (`[[1, 2], [3, 4]]`); `true`/`false` for BOOL. Nested data must be rectangular and
    /// nest exactly as `shape`.
    static func flatten(_ data: JSONValue, shape: [Int], dtype: WireDType, field: String) throws(ServiceError) -> [Double] {
        // The nesting read down the first elements.
        var nesting: [Int] = []
        var probe = data
        while true {
            if let leaf = try leafValues(probe, dtype: dtype, field: field) {
                nesting.append(leaf.count)
                break
            }
            guard case .array(let items) = probe, let first = items.first else {
                throw .badRequest(field: field, expected: "an array of numbers (flat or nested), found \(probe.typeNameWithArticle)")
            }
            nesting.append(items.count)
            guard nesting.count <= shape.count else {
                throw .shapeDataMismatch("\(field) is nested deeper than shape \(shape)")
            }
            probe = first
        }
        if nesting.count == 1 { return try leafValues(data, dtype: dtype, field: field)! }
        guard nesting == shape else {
            throw .shapeDataMismatch("\(field) is nested as \(nesting) but shape is \(shape)")
        }
        var values: [Double] = []
        values.reserveCapacity(shape.checkedProduct() ?? 0)
        try collect(data, depth: 0, shape: shape, dtype: dtype, into: &values, field: field)
        return values
    }

    private static func collect(_ value: JSONValue, depth: Int, shape: [Int], dtype: WireDType, into values: inout [Double], field: String)
        throws(ServiceError)
    {
        if depth == shape.count - 1 {
            guard let leaf = try leafValues(value, dtype: dtype, field: field), leaf.count == shape[depth] else {
                throw .shapeDataMismatch("\(field) is ragged: expected \(shape[depth]) values at depth \(depth + 1) as shape \(shape) says")
            }
            values.append(contentsOf: leaf)
            return
        }
        guard case .array(let items) = value, items.count == shape[depth] else {
            throw .shapeDataMismatch("\(field) is ragged: expected \(shape[depth]) arrays at depth \(depth + 1) as shape \(shape) says")
        }
        for item in items { try collect(item, depth: depth + 1, shape: shape, dtype: dtype, into: &values, field: field) }
    }

    /// The values of an array of scalars (numbers; booleans for BOOL), or nil when `value`
    /// is not one (an array of arrays, or a scalar).
    private static func leafValues(_ value: JSONValue, dtype: WireDType, field: String) throws(ServiceError) -> [Double]? {
        switch value {
        case .numbers(let values): return values
        case .array(let items):
            guard let first = items.first else { return [] }
            if case .array = first { return nil }
            if case .numbers = first { return nil }
            var out: [Double] = []
            out.reserveCapacity(items.count)
            for item in items {
                switch item {
                case .number(let number): out.append(number)
                case .bool(let flag) where dtype == .bool: out.append(flag ? 1 : 0)
                default:
                    throw .badRequest(
                        field: field, expected: dtype == .bool ? "true/false or 0/1 values" : "numbers, found \(item.typeNameWithArticle)")
                }
            }
            return out
        default:
            return nil
        }
    }
}

extension String {
    var trimmingSpaces: Substring {
        var text = self[...]
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}
