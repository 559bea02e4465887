/// `inference.ModelInferRequest` (KServe V2 and Triton alike): the ModelInfer RPC's request.
///
/// Decoding copies nothing of the tensors: ``rawInputContents`` are slices of the buffer the
/// message was decoded from.
public struct ModelInferRequest: ProtoFieldMessage {
    /// 1 `model_name`.
    public var modelName = ""
    /// 2 `model_version` ("" lets the server choose).
    public var modelVersion = ""
    /// 3 `id`, echoed in the response.
    public var id = ""
    /// 4 `parameters`.
    public var parameters: [String: InferParameter] = [:]
    /// 5 `inputs`.
    public var inputs: [InferInputTensor] = []
    /// 6 `outputs`: the outputs asked for (none: all of them).
    public var outputs: [InferRequestedOutputTensor] = []
    /// 7 `raw_input_contents`: one element per input, in the order of `inputs`, when the
    /// inputs are sent raw (then no input has `contents`). Slices of the decoded buffer.
    public var rawInputContents: [ArraySlice<UInt8>] = []

    /// The fields in field-number order.
    public mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure) {
        try fields.inferHeader(&modelName, &modelVersion, &id, &parameters)
        try fields.messages(5, "inputs", &inputs, max: \.maxTensors)
        try fields.messages(6, "outputs", &outputs, max: \.maxTensors)
        try fields.bytesElements(7, "raw_input_contents", &rawInputContents, max: \.maxTensors)
    }

    /// An empty request.
    public init() {}
}
