/// `inference.ModelMetadataResponse`: the ModelMetadata RPC's response (tritonclient's
/// `get_model_metadata`). MLServer's copy of the proto adds `parameters` (field 6 here, 4 in
/// `TensorMetadata`); neither KServe nor Triton has it, and it is skipped like any unknown field.
public struct ModelMetadataResponse: ProtoMessage {
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

    /// `ModelMetadataResponse`.
    public static let protoName = "ModelMetadataResponse"

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

    /// Reads the fields; at most ``GRPCCoreLimits/maxTensors`` inputs and outputs.
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        let limits = reader.limits
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: name = try reader.readString(tag, field: "name")
            case 2: try reader.appendString(tag, field: "versions", to: &versions, maxCount: limits.maxRepeatedElements)
            case 3: platform = try reader.readString(tag, field: "platform")
            case 4: try reader.appendMessage(tag, field: "inputs", to: &inputs, maxCount: limits.maxTensors)
            case 5: try reader.appendMessage(tag, field: "outputs", to: &outputs, maxCount: limits.maxTensors)
            default: try reader.skipUnknown(tag)
            }
        }
    }

    /// Writes the fields in field-number order.
    public func encode(to writer: inout ProtoWriter) {
        writer.writeString(1, name)
        writer.writeStrings(2, versions)
        writer.writeString(3, platform)
        writer.writeMessages(4, inputs)
        writer.writeMessages(5, outputs)
    }
}
