/// A request without fields (`ServerLiveRequest`, `ServerReadyRequest`,
/// `ServerMetadataRequest`): unknown fields are skipped, nothing is written.
public struct EmptyRequest<RPC: ProtoRPC>: ProtoFieldMessage {
    /// `<RPC>Request`.
    public static var protoName: String { RPC.rpcName + "Request" }

    /// The request.
    public init() {}

    /// No fields: every field on the wire is skipped, nothing is written.
    public mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) {}
}
