import DenseKernel
import TensorJSON

/// How a tensor was written on the wire; the output is written back the same way unless
/// the request's `output_format` says otherwise.
public enum TensorFormat: String, Sendable {
    /// A nested JSON array: `[[1, 2], [3, 4]]`.
    case nested
    /// `{"shape": [...], "dtype": ..., "data": [flat row-major values]}`.
    case flat
    /// `{"shape": [...], "dtype": ..., "b64": "<little-endian bytes>"}`.
    case b64
}

/// A decoded input tensor: its shape, values in a compute dtype, and the form it came in.
public struct WireTensor: Sendable {
    public var tensor: Tensor
    public var format: TensorFormat
    public var wireDType: WireDType
    /// Binary INT64/UINT64 values when one of them is beyond 2^53, where `tensor`'s float64
    /// storage had to round: kept so that the first layer rounds once, from the exact value.
    public var exactIntegers: ExactIntegers? = nil

    /// The input as the first layer takes it, `dtype`: rounded once from the exact values
    /// (an INT64 of 2^53+2^29+1 into float32 is 9007200328482816, as numpy's cast, not the
    /// 9007199254740992 that rounding through float64 gives).
    public func tensor(roundedFor dtype: DType) -> Tensor {
        guard let exactIntegers else { return tensor }
        switch (exactIntegers, dtype) {
        case (.int64(let values), .float32): return Tensor(shape: tensor.shape, storage: .float32(values.map(Float.init)))
        case (.uint64(let values), .float32): return Tensor(shape: tensor.shape, storage: .float32(values.map(Float.init)))
        case (_, .float64): return tensor
        }
    }
}

/// Integer tensor values kept exactly (see ``WireTensor/exactIntegers``).
public enum ExactIntegers: Sendable, Equatable {
    case int64([Int64])
    case uint64([UInt64])
}

/// Decodes the tensor forms the API takes (README "Routes") from JSON, checking shape, rectangularity and limits
/// before anything large is allocated.
public enum TensorDecoder {
    /// Decodes `value` (nested array, `{shape, data}` or `{shape, dtype, b64}`).
    /// - Parameter field: the JSON path used in error messages (`input`, `layers[0].kernel`).
    public static func decode(_ value: JSONValue, field: String, limits: DenseLimits) throws(ServiceError) -> WireTensor {
        switch value {
        case .array, .numbers:
            let (shape, values) = try nested(value, field: field, limits: limits)
            // Kept exact: each layer rounds to its own dtype once, as Keras does with Python floats.
            return WireTensor(tensor: Tensor(shape: shape, storage: .float64(values)), format: .nested, wireDType: .float64)
        case .object(let object):
            return try decodeObject(object, field: field, limits: limits)
        default:
            throw .badRequest(
                field: field,
                expected: "a tensor: a nested array, {\"shape\", \"data\"} or {\"shape\", \"dtype\", \"b64\"}, got \(value.typeName)")
        }
    }

    static func decodeObject(_ object: JSONObject, field: String, limits: DenseLimits) throws(ServiceError) -> WireTensor {
        for key in object.keys where !["shape", "data", "dtype", "b64"].contains(key) {
            throw .badRequest(field: "\(field).\(key)", expected: "only the keys shape, dtype, data, b64")
        }
        // Without "dtype", "data" holds the JSON numbers as parsed (float64), cast by each layer
        // to its own dtype exactly as for a nested array; "b64" bytes are float32.
        let dtype: WireDType
        if let name = object["dtype"] {
            guard let text = name.stringValue, let parsed = WireDType(rawValue: text) else {
                throw .badRequest(field: "\(field).dtype", expected: "one of \(WireDType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            dtype = parsed
        } else {
            dtype = object["data"] != nil ? .float64 : .float32
        }
        guard let shapeValue = object["shape"] else {
            throw .badRequest(field: "\(field).shape", expected: "the tensor shape, a list of positive integers")
        }
        let shape = try intList(shapeValue, field: "\(field).shape")
        do { try Tensor.validateShape(shape, limits: limits, field: "\(field).shape") } catch { throw .dense(error) }
        let count = shape.checkedProduct()!
        switch (object["data"], object["b64"]) {
        case (.some, .some):
            throw .badRequest(field: field, expected: "either \"data\" or \"b64\", not both")
        case (nil, nil):
            throw .badRequest(field: "\(field).data", expected: "the tensor values (\"data\") or their base64 bytes (\"b64\")")
        case (let data?, nil):
            let values: [Double]
            switch data {
            case .numbers(let flat): values = flat
            case .array(let items) where items.isEmpty: values = []
            case .array:
                values = try nested(data, field: "\(field).data", limits: limits).values
            default:
                throw .badRequest(field: "\(field).data", expected: "an array of numbers, got \(data.typeName)")
            }
            guard values.count == count else {
                throw .dense(.shapeMismatch("\(field): shape \(shape) has \(count) elements but data has \(values.count)"))
            }
            let storage = try cast(values, to: dtype, field: "\(field).data")
            return WireTensor(tensor: Tensor(shape: shape, storage: storage), format: .flat, wireDType: dtype)
        case (nil, let b64?):
            guard let text = b64.stringValue else {
                throw .badRequest(field: "\(field).b64", expected: "a base64 string")
            }
            let bytes: [UInt8]
            do { bytes = try Base64.decode(text) } catch {
                throw .badRequest(field: "\(field).b64", expected: "valid base64 (\(error))")
            }
            let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
            guard !overflow, bytes.count == needed else {
                throw .dense(
                    .shapeMismatch("\(field).b64 has \(bytes.count) bytes but shape \(shape) of \(dtype.rawValue) needs \(needed)"))
            }
            let storage = try RawTensorCodec.decode(bytes: bytes[...], dtype: dtype, count: count, field: "\(field).b64")
            return WireTensor(
                tensor: Tensor(shape: shape, storage: storage), format: .b64, wireDType: dtype,
                exactIntegers: RawTensorCodec.exactIntegers(bytes: bytes[...], dtype: dtype, count: count))
        }
    }

    /// Reads a nested numeric array, checking that it is rectangular. Returns its shape and
    /// row-major values. Leaves are the parser's contiguous number runs, so the only copy
    /// is into the result.
    public static func nested(_ value: JSONValue, field: String, limits: DenseLimits) throws(ServiceError) -> (
        shape: [Int], values: [Double]
    ) {
        // The shape is read down the first elements, then every subarray is checked against it.
        var shape: [Int] = []
        var probe = value
        while true {
            if case .numbers(let leaf) = probe {
                shape.append(leaf.count)
                break
            }
            guard case .array(let items) = probe else {
                throw .badRequest(
                    field: field, expected: "a nested array of numbers, found \(probe.typeNameWithArticle) where an array was expected")
            }
            shape.append(items.count)
            guard shape.count <= limits.maxRank else {
                throw .dense(.limitExceeded(what: "\(field) rank", value: shape.count, limit: limits.maxRank))
            }
            guard let first = items.first else { break }
            probe = first
        }
        do { try Tensor.validateShape(shape, limits: limits, field: field) } catch { throw .dense(error) }
        var values: [Double] = []
        values.reserveCapacity(shape.checkedProduct()!)
        try collect(value, depth: 0, shape: shape, into: &values, field: field)
        return (shape, values)
    }

    private static func collect(_ value: JSONValue, depth: Int, shape: [Int], into values: inout [Double], field: String)
        throws(ServiceError)
    {
        if depth == shape.count - 1 {
            guard case .numbers(let leaf) = value else {
                if case .array(let items) = value, items.isEmpty, shape[depth] == 0 { return }
                throw .dense(
                    .raggedTensor(
                        field: field,
                        detail:
                            "expected \(shape[depth]) numbers at depth \(depth + 1), got \(value.typeName == "array" ? "nested arrays or non-numbers" : value.typeName)"
                    ))
            }
            guard leaf.count == shape[depth] else {
                throw .dense(
                    .raggedTensor(
                        field: field,
                        detail: "an array at depth \(depth + 1) has \(leaf.count) elements but the first one has \(shape[depth])"))
            }
            values.append(contentsOf: leaf)
            return
        }
        guard case .array(let items) = value else {
            throw .dense(
                .raggedTensor(
                    field: field,
                    detail:
                        "expected an array of \(shape[depth]) arrays at depth \(depth + 1), got \(value.typeName == "array" ? "numbers" : value.typeName)"
                ))
        }
        guard items.count == shape[depth] else {
            throw .dense(
                .raggedTensor(
                    field: field, detail: "an array at depth \(depth + 1) has \(items.count) elements but the first one has \(shape[depth])"
                ))
        }
        for item in items { try collect(item, depth: depth + 1, shape: shape, into: &values, field: field) }
    }

    /// Rounds JSON numbers to the wire dtype, then keeps them in a compute storage:
    /// float32/float16/bfloat16 → float32 storage; float64 and integers → float64 storage
    /// (exact), so each layer's cast rounds only once.
    static func cast(_ values: [Double], to dtype: WireDType, field: String) throws(ServiceError) -> TensorStorage {
        switch dtype {
        case .float32: return .float32(values.map(Float.init))
        case .float64: return .float64(values)
        case .float16: return .float32(values.map { Float(Float16($0)) })
        case .bfloat16: return .float32(values.map { RawTensorCodec.bfloat16ToFloat(RawTensorCodec.doubleToBFloat16($0)) })
        case .bool:
            for value in values where value != 0 && value != 1 {
                throw .dense(.invalidValue(field: field, detail: "dtype bool needs 0 or 1, got \(value)"))
            }
            return .float64(values)
        default:
            let range = RawTensorCodec.integerRange(dtype)
            for value in values where !(value.rounded(.towardZero) == value && value >= range.low && value < range.upperExclusive) {
                throw .dense(.invalidValue(field: field, detail: "dtype \(dtype.rawValue) needs integers from \(range.text), got \(value)"))
            }
            return .float64(values)
        }
    }

    /// A list of non-negative integers (a shape).
    public static func intList(_ value: JSONValue, field: String) throws(ServiceError) -> [Int] {
        let numbers: [Double]
        switch value {
        case .numbers(let list): numbers = list
        case .array(let items) where items.isEmpty: numbers = []
        default: throw .badRequest(field: field, expected: "a list of integers, got \(value.typeName)")
        }
        var out: [Int] = []
        out.reserveCapacity(numbers.count)
        for number in numbers {
            if number.isFinite && number.rounded(.towardZero) == number && number.magnitude >= 0x1p63 {
                throw .dense(.limitExceeded(what: "\(field) dimension", value: Int.max, limit: DenseLimits.default.maxElements))
            }
            guard let integer = exactInt(number) else {
                throw .badRequest(field: field, expected: "integers, got \(number)")
            }
            out.append(integer)
        }
        return out
    }

    /// A symbolic shape: integers or `null` (the batch axis).
    public static func symbolicShape(_ value: JSONValue, field: String) throws(ServiceError) -> [Int?] {
        switch value {
        case .numbers: return try intList(value, field: field).map { Optional($0) }
        case .array(let items):
            var out: [Int?] = []
            for item in items {
                switch item {
                case .null: out.append(nil)
                case .number(let number):
                    guard let integer = exactInt(number) else {
                        throw .badRequest(field: field, expected: "integers or null, got \(number)")
                    }
                    out.append(integer)
                default: throw .badRequest(field: field, expected: "integers or null, got \(item.typeName)")
                }
            }
            return out
        default: throw .badRequest(field: field, expected: "a shape such as [null, 20, 5], got \(value.typeName)")
        }
    }

    static func exactInt(_ number: Double) -> Int? {
        guard number.isFinite, number.rounded(.towardZero) == number, number.magnitude < 0x1p63 else { return nil }
        return Int(number)
    }
}
