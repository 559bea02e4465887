/// `inference.ServerLiveRequest`: the ServerLive RPC's request, empty. Unknown fields are skipped.
public struct ServerLiveRequest: ProtoMessage {
    /// `ServerLiveRequest`.
    public static let protoName = "ServerLiveRequest"

    /// The request.
    public init() {}

    /// Skips every field (the message has none).
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        while let tag = try reader.readTag() { try reader.skipUnknown(tag) }
    }

    /// Writes nothing.
    public func encode(to writer: inout ProtoWriter) {}
}
