/// `inference.ModelInferResponse`: the ModelInfer RPC's response. DenseServe answers raw, as
/// Triton does (tritonclient's `as_numpy` reads only `raw_output_contents`): see
/// ``encodeFramed(rawOutputByteCounts:writeRawOutput:)`` for writing megabytes of output once.
public struct ModelInferResponse: ProtoMessage {
    /// 1 `model_name`.
    public var modelName = ""
    /// 2 `model_version`.
    public var modelVersion = ""
    /// 3 `id`: the request's.
    public var id = ""
    /// 4 `parameters`.
    public var parameters: [String: InferParameter] = [:]
    /// 5 `outputs`.
    public var outputs: [InferOutputTensor] = []
    /// 6 `raw_output_contents`: one element per output, in the order of `outputs`. Decoded,
    /// slices of the buffer; encoded, each copied once into the message.
    public var rawOutputContents: [ArraySlice<UInt8>] = []

    /// `ModelInferResponse`.
    public static let protoName = "ModelInferResponse"

    /// An empty response.
    public init() {}

    /// A response with the given fields.
    public init(
        modelName: String, modelVersion: String = "", id: String = "", parameters: [String: InferParameter] = [:],
        outputs: [InferOutputTensor] = [], rawOutputContents: [ArraySlice<UInt8>] = []
    ) {
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.id = id
        self.parameters = parameters
        self.outputs = outputs
        self.rawOutputContents = rawOutputContents
    }

    /// Reads the fields; at most ``GRPCCoreLimits/maxTensors`` outputs and raw contents.
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        let maxTensors = reader.limits.maxTensors
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: modelName = try reader.readString(tag, field: "model_name")
            case 2: modelVersion = try reader.readString(tag, field: "model_version")
            case 3: id = try reader.readString(tag, field: "id")
            case 4: try reader.readParameterEntry(tag, field: "parameters", into: &parameters)
            case 5: try reader.appendMessage(tag, field: "outputs", to: &outputs, maxCount: maxTensors)
            case 6: try reader.appendBytes(tag, field: "raw_output_contents", to: &rawOutputContents, maxCount: maxTensors)
            default: try reader.skipUnknown(tag)
            }
        }
    }

    /// Writes the fields in field-number order.
    public func encode(to writer: inout ProtoWriter) {
        encodeMetadata(to: &writer)
        writer.writeBytesElements(6, rawOutputContents)
    }

    /// Fields 1–5: everything but the raw contents, which come last in field-number order.
    func encodeMetadata(to writer: inout ProtoWriter) {
        writer.writeString(1, modelName)
        writer.writeString(2, modelVersion)
        writer.writeString(3, id)
        writer.writeParameters(4, parameters)
        writer.writeMessages(5, outputs)
    }
}
