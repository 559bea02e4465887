/// `inference.ServerMetadataResponse`: the ServerMetadata RPC's response.
public struct ServerMetadataResponse: ProtoMessage {
    /// 1 `name`: the server's name.
    public var name = ""
    /// 2 `version`: the server's version.
    public var version = ""
    /// 3 `extensions`: the protocol extensions the server supports. At most
    /// ``GRPCCoreLimits/maxRepeatedElements`` when decoded.
    public var extensions: [String] = []

    /// `ServerMetadataResponse`.
    public static let protoName = "ServerMetadataResponse"

    /// An empty response.
    public init() {}

    /// A response with the given fields.
    public init(name: String, version: String, extensions: [String] = []) {
        self.name = name
        self.version = version
        self.extensions = extensions
    }

    /// Reads the fields.
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: name = try reader.readString(tag, field: "name")
            case 2: version = try reader.readString(tag, field: "version")
            case 3:
                try reader.appendString(tag, field: "extensions", to: &extensions, maxCount: reader.limits.maxRepeatedElements)
            default: try reader.skipUnknown(tag)
            }
        }
    }

    /// Writes the fields in field-number order.
    public func encode(to writer: inout ProtoWriter) {
        writer.writeString(1, name)
        writer.writeString(2, version)
        writer.writeStrings(3, extensions)
    }
}
