/// `inference.ServerMetadataResponse`: the ServerMetadata RPC's response.
public struct ServerMetadataResponse: ProtoFieldMessage {
    /// 1 `name`: the server's name.
    public var name = ""
    /// 2 `version`: the server's version.
    public var version = ""
    /// 3 `extensions`: the protocol extensions the server supports. At most
    /// ``GRPCCoreLimits/maxRepeatedElements`` when decoded.
    public var extensions: [String] = []

    /// The fields in field-number order.
    public mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure) {
        try fields.string(1, "name", &name)
        try fields.string(2, "version", &version)
        try fields.strings(3, "extensions", &extensions, max: \.maxRepeatedElements)
    }

    /// An empty response.
    public init() {}

    /// A response with the given fields.
    public init(name: String, version: String, extensions: [String] = []) {
        self.name = name
        self.version = version
        self.extensions = extensions
    }
}
