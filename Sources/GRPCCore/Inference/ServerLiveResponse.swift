/// `inference.ServerLiveResponse`: the ServerLive RPC's response.
public struct ServerLiveResponse: ProtoMessage {
    /// 1 `live`: the server can receive and answer requests.
    public var live = false

    /// `ServerLiveResponse`.
    public static let protoName = "ServerLiveResponse"

    /// A response with `live` false.
    public init() {}

    /// A response with `live`.
    public init(live: Bool) { self.live = live }

    /// Reads the fields.
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: live = try reader.readBool(tag, field: "live")
            default: try reader.skipUnknown(tag)
            }
        }
    }

    /// Writes `live` when true.
    public func encode(to writer: inout ProtoWriter) {
        writer.writeBool(1, live)
    }
}
