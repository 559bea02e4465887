/// `inference.ModelConfigRequest`: the request of Triton's ModelConfig RPC (`grpc_service.proto`;
/// not in KServe's V2 protocol), which tritonclient's `get_model_config` calls.
public struct ModelConfigRequest: ProtoMessage {
    /// 1 `name`: the model's name.
    public var name = ""
    /// 2 `version` ("" lets the server choose).
    public var version = ""

    /// `ModelConfigRequest`.
    public static let protoName = "ModelConfigRequest"

    /// An empty request.
    public init() {}

    /// A request for `name` at `version`.
    public init(name: String, version: String = "") {
        self.name = name
        self.version = version
    }

    /// Reads the fields.
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: name = try reader.readString(tag, field: "name")
            case 2: version = try reader.readString(tag, field: "version")
            default: try reader.skipUnknown(tag)
            }
        }
    }

    /// Writes the fields in field-number order.
    public func encode(to writer: inout ProtoWriter) {
        writer.writeString(1, name)
        writer.writeString(2, version)
    }
}
