import DenseKernel
import GRPCCore

/// A gRPC `ModelInferRequest` as the compute path takes it: the one input tensor, cast as the
/// V2 REST route casts (integers and booleans to float64 exactly, half precision widened), so
/// that the same values give bitwise the same answer on every route.
///
/// Values come from `raw_input_contents` (little-endian bytes, as tritonclient sends them) or
/// from the input's typed `contents` (the field that matches its datatype: `fp32_contents` for
/// FP32, `int_contents` for INT8/16/32, …); both at once is INVALID_ARGUMENT. FP16 and BF16
/// have no typed field and travel raw only.
struct GRPCInferRequest {
    /// `id`, echoed in the answer.
    var id: String
    var input: WireTensor

    static func decode(_ message: ModelInferRequest, limits: ServiceLimits) throws(ServiceError) -> GRPCInferRequest {
        guard message.inputs.count == 1 else {
            throw .badRequest(
                field: "inputs", expected: "exactly one input tensor named \"\(V2Protocol.inputName)\", got \(message.inputs.count)")
        }
        let tensor = message.inputs[0]
        let field = "inputs[0]"
        guard tensor.name == V2Protocol.inputName else {
            throw .badRequest(
                field: "\(field).name", expected: "\"\(V2Protocol.inputName)\" (the model's only input), got \"\(tensor.name)\"")
        }
        for (index, output) in message.outputs.enumerated() where output.name != V2Protocol.outputName {
            throw .badRequest(
                field: "outputs[\(index)].name", expected: "\"\(V2Protocol.outputName)\" (the model's only output), got \"\(output.name)\"")
        }
        guard message.outputs.count <= 1 else {
            throw .badRequest(field: "outputs", expected: "\"\(V2Protocol.outputName)\" at most once")
        }
        guard let dtype = V2Protocol.wireDType(tensor.datatype) else {
            throw .badRequest(
                field: "\(field).datatype",
                expected: "a numeric datatype (\(V2Protocol.datatypeNames.joined(separator: ", "))), got \"\(tensor.datatype)\"")
        }
        var shape: [Int] = []
        for dimension in tensor.shape {
            guard dimension >= 0 else {
                throw .badRequest(field: "\(field).shape", expected: "non-negative dimensions, got \(tensor.shape)")
            }
            shape.append(Int(dimension))
        }
        do { try Tensor.validateShape(shape, limits: limits.dense, field: "\(field).shape") } catch { throw .dense(error) }
        let count = shape.checkedProduct()!
        let typed = tensor.contents.map { !$0.isEmpty } ?? false
        switch (message.rawInputContents.isEmpty, typed) {
        case (false, true):
            throw .badRequest(
                field: "raw_input_contents", expected: "the input's values either in raw_input_contents or in \(field).contents, not both")
        case (true, false):
            throw .badRequest(
                field: "\(field).contents", expected: "the tensor values: raw_input_contents (little-endian bytes) or typed contents")
        case (false, false):
            guard message.rawInputContents.count == 1 else {
                throw .badRequest(
                    field: "raw_input_contents", expected: "one entry per input (1), got \(message.rawInputContents.count)")
            }
            let bytes = message.rawInputContents[0]
            let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
            guard !overflow, bytes.count == needed else {
                throw .badRequest(
                    field: "raw_input_contents[0]",
                    expected: "\(needed) bytes for shape \(shape) of \(tensor.datatype), got \(bytes.count)")
            }
            let storage = try RawTensorCodec.decode(bytes: bytes, dtype: dtype, count: count, field: "raw_input_contents[0]")
            return GRPCInferRequest(
                id: message.id,
                input: WireTensor(
                    tensor: Tensor(shape: shape, storage: storage), format: .flat, wireDType: dtype,
                    exactIntegers: RawTensorCodec.exactIntegers(bytes: bytes, dtype: dtype, count: count)))
        case (true, true):
            let (storage, exact) = try typedValues(tensor.contents!, dtype: dtype, datatype: tensor.datatype, count: count, field: field)
            return GRPCInferRequest(
                id: message.id,
                input: WireTensor(
                    tensor: Tensor(shape: shape, storage: storage), format: .flat, wireDType: dtype, exactIntegers: exact))
        }
    }

    /// The typed contents field each datatype travels in.
    private static func contentsField(_ dtype: WireDType) -> String? {
        switch dtype {
        case .bool: "bool_contents"
        case .int8, .int16, .int32: "int_contents"
        case .int64: "int64_contents"
        case .uint8, .uint16, .uint32: "uint_contents"
        case .uint64: "uint64_contents"
        case .float32: "fp32_contents"
        case .float64: "fp64_contents"
        case .float16, .bfloat16: nil
        }
    }

    private static func typedValues(
        _ contents: InferTensorContents, dtype: WireDType, datatype: String, count: Int, field: String
    ) throws(ServiceError) -> (TensorStorage, ExactIntegers?) {
        guard let expected = contentsField(dtype) else {
            throw .badRequest(
                field: "\(field).contents", expected: "\(datatype) values in raw_input_contents (it has no typed contents field)")
        }
        let counts: [(String, Int)] = [
            ("bool_contents", contents.boolContents.count), ("int_contents", contents.intContents.count),
            ("int64_contents", contents.int64Contents.count), ("uint_contents", contents.uintContents.count),
            ("uint64_contents", contents.uint64Contents.count), ("fp32_contents", contents.fp32Contents.count),
            ("fp64_contents", contents.fp64Contents.count), ("bytes_contents", contents.bytesContents.count),
        ]
        for (name, n) in counts where name != expected && n > 0 {
            throw .badRequest(field: "\(field).contents.\(name)", expected: "\(datatype) values in \(expected) only")
        }
        let given = counts.first { $0.0 == expected }!.1
        guard given == count else {
            throw .shapeDataMismatch("\(field): shape has \(count) elements but contents.\(expected) has \(given)")
        }
        let path = "\(field).contents.\(expected)"
        switch dtype {
        case .float32: return (.float32(contents.fp32Contents), nil)
        case .float64: return (.float64(contents.fp64Contents), nil)
        case .bool: return (.float64(contents.boolContents.map { $0 ? 1 : 0 }), nil)
        case .int8, .int16, .int32:
            let range = RawTensorCodec.integerRange(dtype)
            for (index, value) in contents.intContents.enumerated() where Double(value) < range.low || Double(value) >= range.upperExclusive
            {
                throw .badRequest(field: "\(path)[\(index)]", expected: "a \(datatype) value (\(range.text)), got \(value)")
            }
            return (.float64(contents.intContents.map { Double($0) }), nil)
        case .uint8, .uint16, .uint32:
            let range = RawTensorCodec.integerRange(dtype)
            for (index, value) in contents.uintContents.enumerated() where Double(value) >= range.upperExclusive {
                throw .badRequest(field: "\(path)[\(index)]", expected: "a \(datatype) value (\(range.text)), got \(value)")
            }
            return (.float64(contents.uintContents.map { Double($0) }), nil)
        case .int64:
            let values = contents.int64Contents
            return (.float64(values.map { Double($0) }), values.contains { $0.magnitude > 1 << 53 } ? .int64(values) : nil)
        case .uint64:
            let values = contents.uint64Contents
            return (.float64(values.map { Double($0) }), values.contains { $0 > 1 << 53 } ? .uint64(values) : nil)
        case .float16, .bfloat16:
            preconditionFailure("no typed field")  // refused above
        }
    }
}
