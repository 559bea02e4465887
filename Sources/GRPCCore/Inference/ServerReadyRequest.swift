/// `inference.ServerReadyRequest`: the ServerReady RPC's request, empty. Unknown fields are skipped.
public struct ServerReadyRequest: ProtoMessage {
    /// `ServerReadyRequest`.
    public static let protoName = "ServerReadyRequest"

    /// The request.
    public init() {}

    /// Skips every field (the message has none).
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        while let tag = try reader.readTag() { try reader.skipUnknown(tag) }
    }

    /// Writes nothing.
    public func encode(to writer: inout ProtoWriter) {}
}
