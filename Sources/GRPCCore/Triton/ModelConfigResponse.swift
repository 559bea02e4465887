/// `inference.ModelConfigResponse`: the response of Triton's ModelConfig RPC.
public struct ModelConfigResponse: ProtoFieldMessage {
    /// 1 `config`; nil when absent.
    public var config: ModelConfig?

    /// The fields in field-number order.
    public mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure) {
        try fields.message(1, "config", &config)
    }

    /// A response without a config.
    public init() {}

    /// A response with `config`.
    public init(config: ModelConfig) { self.config = config }
}
