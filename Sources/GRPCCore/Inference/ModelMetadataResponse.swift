/// `inference.ModelMetadataResponse`: the ModelMetadata RPC's response (tritonclient's
/// `get_model_metadata`). MLServer's copy of the proto adds `parameters` (field 6 here, 4 in
/// `TensorMetadata`); neither KServe nor Triton has it, and it is skipped like any unknown field.
public struct ModelMetadataResponse: ProtoFieldMessage {
    /// 1 `name`.
    public var name = ""
    /// 2 `versions`: the versions available. At most ``GRPCCoreLimits/maxRepeatedElements``
    /// when decoded.
    public var versions: [String] = []
    /// 3 `platform`.
    public var platform = ""
    /// 4 `inputs`.
    public var inputs: [TensorMetadata] = []
    /// 5 `outputs`.
    public var outputs: [TensorMetadata] = []

    /// The fields in field-number order.
    public mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure) {
        try fields.string(1, "name", &name)
        try fields.strings(2, "versions", &versions, max: \.maxRepeatedElements)
        try fields.string(3, "platform", &platform)
        try fields.messages(4, "inputs", &inputs, max: \.maxTensors)
        try fields.messages(5, "outputs", &outputs, max: \.maxTensors)
    }

    /// An empty response.
    public init() {}

    /// A response with the given fields.
    public init(
        name: String, versions: [String] = [], platform: String = "", inputs: [TensorMetadata] = [],
        outputs: [TensorMetadata] = []
    ) {
        self.name = name
        self.versions = versions
        self.platform = platform
        self.inputs = inputs
        self.outputs = outputs
    }
}
