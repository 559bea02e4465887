/// `inference.ModelReadyResponse`: the ModelReady RPC's response.
public struct ModelReadyResponse: ProtoMessage {
    /// 1 `ready`: the model is ready for inferencing.
    public var ready = false

    /// `ModelReadyResponse`.
    public static let protoName = "ModelReadyResponse"

    /// A response with `ready` false.
    public init() {}

    /// A response with `ready`.
    public init(ready: Bool) { self.ready = ready }

    /// Reads the fields.
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: ready = try reader.readBool(tag, field: "ready")
            default: try reader.skipUnknown(tag)
            }
        }
    }

    /// Writes `ready` when true.
    public func encode(to writer: inout ProtoWriter) {
        writer.writeBool(1, ready)
    }
}
