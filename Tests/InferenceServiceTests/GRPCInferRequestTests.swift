import DenseKernel
import GRPCCore
import Testing

@testable import InferenceService

/// How a `ModelInferRequest` becomes the compute path's input: raw or typed contents, each
/// datatype cast as the V2 REST route casts it.
@Suite struct GRPCInferRequestTests {
    static func request(datatype: String, shape: [Int64], contents: InferTensorContents? = nil, raw: [[UInt8]] = []) -> ModelInferRequest {
        var message = ModelInferRequest()
        message.modelName = "m"
        message.id = "req"
        var input = ModelInferRequest.InferInputTensor()
        input.name = "input"
        input.datatype = datatype
        input.shape = shape
        input.contents = contents
        message.inputs = [input]
        message.rawInputContents = raw.map { $0[...] }
        // Through the wire, as a client's bytes arrive.
        return try! ModelInferRequest(decoding: message.encoded())
    }

    @Test func typedContentsOfEveryKindGiveTheirValues() throws {
        var contents = InferTensorContents()
        contents.uint64Contents = [0, 1, 2, 17]
        var decoded = try GRPCInferRequest.decode(
            Self.request(datatype: "UINT64", shape: [2, 2], contents: contents), limits: ServiceLimits())
        #expect(decoded.input.tensor.storage == .float64([0, 1, 2, 17]))
        #expect(decoded.id == "req")
        contents = InferTensorContents()
        contents.intContents = [-128, 127]
        decoded = try GRPCInferRequest.decode(Self.request(datatype: "INT8", shape: [2], contents: contents), limits: ServiceLimits())
        #expect(decoded.input.tensor.storage == .float64([-128, 127]))
        contents = InferTensorContents()
        contents.fp32Contents = [0.5, -1]
        decoded = try GRPCInferRequest.decode(Self.request(datatype: "FP32", shape: [1, 2], contents: contents), limits: ServiceLimits())
        #expect(decoded.input.tensor.storage == .float32([0.5, -1]))
        contents = InferTensorContents()
        contents.boolContents = [true, false]
        decoded = try GRPCInferRequest.decode(Self.request(datatype: "BOOL", shape: [2], contents: contents), limits: ServiceLimits())
        #expect(decoded.input.tensor.storage == .float64([1, 0]))
    }

    @Test func rawContentsAreLittleEndianBytes() throws {
        let bytes: [UInt8] = [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0]  // 1.0, -2.0
        let decoded = try GRPCInferRequest.decode(Self.request(datatype: "FP32", shape: [1, 2], raw: [bytes]), limits: ServiceLimits())
        #expect(decoded.input.tensor.storage == .float32([1, -2]) && decoded.input.tensor.shape == [1, 2])
    }

    /// Each mistake is INVALID_ARGUMENT (or its HTTP twin) naming the field.
    @Test(arguments: [
        ("mix", "raw_input_contents"), ("none", "inputs[0].contents"), ("short raw", "raw_input_contents[0]"),
        ("wrong field", "inputs[0].contents.int_contents"), ("fp16 typed", "inputs[0].contents"),
        ("int8 range", "inputs[0].contents.int_contents[1]"), ("count", "inputs[0]"), ("name", "inputs[0].name"),
        ("datatype", "inputs[0].datatype"), ("negative", "inputs[0].shape"),
    ])
    func mistakesNameTheirField(_ name: String, _ field: String) {
        var typed = InferTensorContents()
        typed.fp32Contents = [1, 2]
        var ints = InferTensorContents()
        ints.intContents = [1, 300]
        var message: ModelInferRequest
        switch name {
        case "mix": message = Self.request(datatype: "FP32", shape: [2], contents: typed, raw: [[0, 0, 0, 0, 0, 0, 0, 0]])
        case "none": message = Self.request(datatype: "FP32", shape: [2])
        case "short raw": message = Self.request(datatype: "FP32", shape: [2], raw: [[0, 0, 0, 0]])
        case "wrong field": message = Self.request(datatype: "FP32", shape: [2], contents: ints)
        case "fp16 typed": message = Self.request(datatype: "FP16", shape: [2], contents: typed)
        case "int8 range": message = Self.request(datatype: "INT8", shape: [2], contents: ints)
        case "count": message = Self.request(datatype: "FP32", shape: [3], contents: typed)
        case "name":
            message = Self.request(datatype: "FP32", shape: [2], contents: typed)
            message.inputs[0].name = "x"
        case "datatype": message = Self.request(datatype: "BYTES", shape: [2], contents: typed)
        default: message = Self.request(datatype: "FP32", shape: [-2], contents: typed)
        }
        do {
            _ = try GRPCInferRequest.decode(message, limits: ServiceLimits())
            Issue.record("\(name): accepted")
        } catch {
            #expect(error.grpcStatus == .invalidArgument, "\(name): \(error)")
            #expect(error.message.contains(field), "\(name): \(error.message)")
        }
    }
}
