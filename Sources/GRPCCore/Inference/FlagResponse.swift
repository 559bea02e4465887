/// A response of one `bool` field 1 (`ServerLiveResponse.live`, `ServerReadyResponse.ready`,
/// `ModelReadyResponse.ready`), named ``FlagRPC/flagName`` in error paths.
public struct FlagResponse<RPC: FlagRPC>: ProtoFieldMessage {
    /// 1 `live` or `ready`: the server (or model) is live or ready.
    public var value = false

    /// `<RPC>Response`.
    public static var protoName: String { RPC.rpcName + "Response" }

    /// The fields in field-number order.
    public mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure) {
        try fields.bool(1, RPC.flagName, &value)
    }

    /// A response with the flag false.
    public init() {}

    /// A response with the flag `value`.
    public init(_ value: Bool) { self.value = value }
}
