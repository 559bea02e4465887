/// `inference.ServerMetadataRequest`: the ServerMetadata RPC's request, empty. Unknown fields are skipped.
public struct ServerMetadataRequest: ProtoMessage {
    /// `ServerMetadataRequest`.
    public static let protoName = "ServerMetadataRequest"

    /// The request.
    public init() {}

    /// Skips every field (the message has none).
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        while let tag = try reader.readTag() { try reader.skipUnknown(tag) }
    }

    /// Writes nothing.
    public func encode(to writer: inout ProtoWriter) {}
}
