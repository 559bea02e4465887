/// `inference.ModelDynamicBatching` of Triton's `model_config.proto`: the dynamic batcher's
/// settings. Fields 3–7 (`preserve_ordering`, priorities, queue policies) are not modelled
/// and are skipped.
public struct ModelDynamicBatching: ProtoFieldMessage {
    /// 1 `preferred_batch_size`. At most ``GRPCCoreLimits/maxRepeatedElements`` when decoded.
    public var preferredBatchSize: [Int32] = []
    /// 2 `max_queue_delay_microseconds`: how long a request may wait for others to join it.
    public var maxQueueDelayMicroseconds: UInt64 = 0

    /// The fields in field-number order.
    public mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure) {
        try fields.int32s(1, "preferred_batch_size", &preferredBatchSize, max: \.maxRepeatedElements)
        try fields.uint64(2, "max_queue_delay_microseconds", &maxQueueDelayMicroseconds)
    }

    /// Settings at their defaults.
    public init() {}

    /// Settings with the given fields.
    public init(preferredBatchSize: [Int32] = [], maxQueueDelayMicroseconds: UInt64) {
        self.preferredBatchSize = preferredBatchSize
        self.maxQueueDelayMicroseconds = maxQueueDelayMicroseconds
    }
}
