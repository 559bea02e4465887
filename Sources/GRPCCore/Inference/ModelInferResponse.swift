/// `inference.ModelInferResponse`: the ModelInfer RPC's response. DenseServe answers raw, as
/// Triton does (tritonclient's `as_numpy` reads only `raw_output_contents`): see
/// ``encodeFramed(rawOutputByteCounts:writeRawOutput:)`` for writing megabytes of output once.
public struct ModelInferResponse: ProtoFieldMessage {
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

    /// The fields in field-number order; at most ``GRPCCoreLimits/maxTensors`` outputs and
    /// raw contents when read.
    public mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure) {
        try fields.inferHeader(&modelName, &modelVersion, &id, &parameters)
        try fields.messages(5, "outputs", &outputs, max: \.maxTensors)
        try fields.bytesElements(6, "raw_output_contents", &rawOutputContents, max: \.maxTensors)
    }

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

    /// Fields 1–5: everything but the raw contents, which come last in field-number order.
    func encodeMetadata(to writer: inout ProtoWriter) {
        var metadata = self
        metadata.rawOutputContents = []
        metadata.encode(to: &writer)
    }
}
