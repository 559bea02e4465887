/// `inference.ModelConfig` of Triton's `model_config.proto`: the subset tritonclient's
/// `get_model_config` needs and DenseServe fills. The other fields (version policy,
/// instance groups, optimization, parameters, …) are skipped when decoding.
public struct ModelConfig: ProtoFieldMessage {
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

    /// The fields in field-number order (1, 2, 4, 5, 6, 11, 17).
    public mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure) {
        try fields.string(1, "name", &name)
        try fields.string(2, "platform", &platform)
        try fields.int32(4, "max_batch_size", &maxBatchSize)
        try fields.messages(5, "input", &input, max: \.maxTensors)
        try fields.messages(6, "output", &output, max: \.maxTensors)
        try fields.message(11, "dynamic_batching", &dynamicBatching)
        for other in [13, 15] {
            // sequence_batching / ensemble_scheduling: other members of the oneof, which
            // clear dynamic_batching as protobuf's last-member-wins rule says. Never written.
            try fields.field(other, &dynamicBatching) { batching, tag, reader throws(GRPCCoreError) in
                try reader.skipUnknown(tag)
                batching = nil
            } write: { _, _ in
            }
        }
        try fields.string(17, "backend", &backend)
    }

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
}
