/// A request about one model (`ModelReadyRequest`, `ModelMetadataRequest`, Triton's
/// `ModelConfigRequest`): 1 `name` and 2 `version`.
public struct ModelRequest<RPC: ProtoRPC>: ProtoFieldMessage {
    /// 1 `name`: the model's name.
    public var name = ""
    /// 2 `version` ("" lets the server choose).
    public var version = ""

    /// `<RPC>Request`.
    public static var protoName: String { RPC.rpcName + "Request" }

    /// The fields in field-number order.
    public mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure) {
        try fields.string(1, "name", &name)
        try fields.string(2, "version", &version)
    }

    /// An empty request.
    public init() {}

    /// A request for `name` at `version`.
    public init(name: String, version: String = "") {
        self.name = name
        self.version = version
    }
}
