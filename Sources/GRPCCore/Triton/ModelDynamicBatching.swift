/// `inference.ModelDynamicBatching` of Triton's `model_config.proto`: the dynamic batcher's
/// settings. Fields 3–7 (`preserve_ordering`, priorities, queue policies) are not modelled
/// and are skipped.
public struct ModelDynamicBatching: ProtoMessage {
    /// 1 `preferred_batch_size`. At most ``GRPCCoreLimits/maxRepeatedElements`` when decoded.
    public var preferredBatchSize: [Int32] = []
    /// 2 `max_queue_delay_microseconds`: how long a request may wait for others to join it.
    public var maxQueueDelayMicroseconds: UInt64 = 0

    /// `ModelDynamicBatching`.
    public static let protoName = "ModelDynamicBatching"

    /// Settings at their defaults.
    public init() {}

    /// Settings with the given fields.
    public init(preferredBatchSize: [Int32] = [], maxQueueDelayMicroseconds: UInt64) {
        self.preferredBatchSize = preferredBatchSize
        self.maxQueueDelayMicroseconds = maxQueueDelayMicroseconds
    }

    /// Reads the fields.
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1:
                try reader.appendInt32s(
                    tag, field: "preferred_batch_size", to: &preferredBatchSize, maxCount: reader.limits.maxRepeatedElements)
            case 2: maxQueueDelayMicroseconds = try reader.readUInt64(tag, field: "max_queue_delay_microseconds")
            default: try reader.skipUnknown(tag)
            }
        }
    }

    /// Writes the fields in field-number order.
    public func encode(to writer: inout ProtoWriter) {
        writer.writePackedInt32s(1, preferredBatchSize)
        writer.writeUInt64(2, maxQueueDelayMicroseconds)
    }
}
