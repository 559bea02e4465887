/// `inference.ModelConfig` of Triton's `model_config.proto`: the subset tritonclient's
/// `get_model_config` needs and DenseServe fills. The other fields (version policy,
/// instance groups, optimization, parameters, …) are skipped when decoding.
public struct ModelConfig: ProtoMessage {
    /// 1 `name`.
    public var name = ""
    /// 2 `platform`.
    public var platform = ""
    /// 4 `max_batch_size`: 0 when the model does not batch (then `dims` are full shapes).
    public var maxBatchSize: Int32 = 0
    /// 5 `input`. At most ``GRPCCoreLimits/maxTensors`` when decoded.
    public var input: [ModelInput] = []
    /// 6 `output`. At most ``GRPCCoreLimits/maxTensors`` when decoded.
    public var output: [ModelOutput] = []
    /// 11 `dynamic_batching` (a member of the `scheduling_choice` oneof); nil when absent.
    public var dynamicBatching: ModelDynamicBatching?
    /// 17 `backend`.
    public var backend = ""

    /// `ModelConfig`.
    public static let protoName = "ModelConfig"

    /// An empty config.
    public init() {}

    /// A config with the given fields.
    public init(
        name: String, platform: String = "", backend: String = "", maxBatchSize: Int32 = 0, input: [ModelInput] = [],
        output: [ModelOutput] = [], dynamicBatching: ModelDynamicBatching? = nil
    ) {
        self.name = name
        self.platform = platform
        self.backend = backend
        self.maxBatchSize = maxBatchSize
        self.input = input
        self.output = output
        self.dynamicBatching = dynamicBatching
    }

    /// Reads the fields.
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        let maxTensors = reader.limits.maxTensors
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: name = try reader.readString(tag, field: "name")
            case 2: platform = try reader.readString(tag, field: "platform")
            case 4: maxBatchSize = try reader.readInt32(tag, field: "max_batch_size")
            case 5: try reader.appendMessage(tag, field: "input", to: &input, maxCount: maxTensors)
            case 6: try reader.appendMessage(tag, field: "output", to: &output, maxCount: maxTensors)
            case 11:
                if dynamicBatching == nil { dynamicBatching = ModelDynamicBatching() }
                try reader.mergeMessage(tag, field: "dynamic_batching", into: &dynamicBatching!)
            case 13, 15:
                // sequence_batching / ensemble_scheduling: other members of the oneof, which
                // clear dynamic_batching as protobuf's last-member-wins rule says.
                try reader.skipUnknown(tag)
                dynamicBatching = nil
            case 17: backend = try reader.readString(tag, field: "backend")
            default: try reader.skipUnknown(tag)
            }
        }
    }

    /// Writes the fields in field-number order (1, 2, 4, 5, 6, 11, 17).
    public func encode(to writer: inout ProtoWriter) {
        writer.writeString(1, name)
        writer.writeString(2, platform)
        writer.writeInt32(4, maxBatchSize)
        writer.writeMessages(5, input)
        writer.writeMessages(6, output)
        if let dynamicBatching { writer.writeMessage(11, dynamicBatching) }
        writer.writeString(17, backend)
    }
}
