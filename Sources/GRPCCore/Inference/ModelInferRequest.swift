/// `inference.ModelInferRequest` (KServe V2 and Triton alike): the ModelInfer RPC's request.
///
/// Decoding copies nothing of the tensors: ``rawInputContents`` are slices of the buffer the
/// message was decoded from.
public struct ModelInferRequest: ProtoMessage {
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

    /// `ModelInferRequest`.
    public static let protoName = "ModelInferRequest"

    /// An empty request.
    public init() {}

    /// Reads the fields; at most ``GRPCCoreLimits/maxTensors`` inputs, outputs and raw
    /// contents each.
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        let maxTensors = reader.limits.maxTensors
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: modelName = try reader.readString(tag, field: "model_name")
            case 2: modelVersion = try reader.readString(tag, field: "model_version")
            case 3: id = try reader.readString(tag, field: "id")
            case 4: try reader.readParameterEntry(tag, field: "parameters", into: &parameters)
            case 5: try reader.appendMessage(tag, field: "inputs", to: &inputs, maxCount: maxTensors)
            case 6: try reader.appendMessage(tag, field: "outputs", to: &outputs, maxCount: maxTensors)
            case 7: try reader.appendBytes(tag, field: "raw_input_contents", to: &rawInputContents, maxCount: maxTensors)
            default: try reader.skipUnknown(tag)
            }
        }
    }

    /// Writes the fields in field-number order.
    public func encode(to writer: inout ProtoWriter) {
        writer.writeString(1, modelName)
        writer.writeString(2, modelVersion)
        writer.writeString(3, id)
        writer.writeParameters(4, parameters)
        writer.writeMessages(5, inputs)
        writer.writeMessages(6, outputs)
        writer.writeBytesElements(7, rawInputContents)
    }
}
