/// `inference.ModelConfigResponse`: the response of Triton's ModelConfig RPC.
public struct ModelConfigResponse: ProtoMessage {
    /// 1 `config`; nil when absent.
    public var config: ModelConfig?

    /// `ModelConfigResponse`.
    public static let protoName = "ModelConfigResponse"

    /// A response without a config.
    public init() {}

    /// A response with `config`.
    public init(config: ModelConfig) { self.config = config }

    /// Reads the fields.
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1:
                if config == nil { config = ModelConfig() }
                try reader.mergeMessage(tag, field: "config", into: &config!)
            default: try reader.skipUnknown(tag)
            }
        }
    }

    /// Writes `config` when present.
    public func encode(to writer: inout ProtoWriter) {
        if let config { writer.writeMessage(1, config) }
    }
}
