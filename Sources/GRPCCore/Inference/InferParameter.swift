/// `inference.InferParameter`: one value of a parameters map, a `oneof parameter_choice`.
///
/// KServe's `grpc_predict_v2.proto` has members 1–3; Triton's `grpc_service.proto` adds 4
/// and 5 (tritonclient sends `priority` as `uint64_param`). A member set to its default
/// (`false`, 0, "") is still written: a oneof member has presence.
public enum InferParameter: ProtoMessage {
    /// No member of the oneof is set (an empty message).
    case unset
    /// 1 `bool_param`.
    case bool(Bool)
    /// 2 `int64_param`.
    case int64(Int64)
    /// 3 `string_param`.
    case string(String)
    /// 4 `double_param` (Triton).
    case double(Double)
    /// 5 `uint64_param` (Triton).
    case uint64(UInt64)

    /// ``unset``.
    public init() { self = .unset }

    /// Reads the members; the last one on the wire wins, as in a protobuf oneof.
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: self = .bool(try reader.readBool(tag, field: "bool_param"))
            case 2: self = .int64(try reader.readInt64(tag, field: "int64_param"))
            case 3: self = .string(try reader.readString(tag, field: "string_param"))
            case 4: self = .double(try reader.readDouble(tag, field: "double_param"))
            case 5: self = .uint64(try reader.readUInt64(tag, field: "uint64_param"))
            default: try reader.skipUnknown(tag)
            }
        }
    }

    /// Writes the member that is set, even at its default value.
    public func encode(to writer: inout ProtoWriter) {
        switch self {
        case .unset:
            break
        case .bool(let value):
            writer.writeTag(1, .varint)
            writer.writeVarint(value ? 1 : 0)
        case .int64(let value):
            writer.writeTag(2, .varint)
            writer.writeVarint(UInt64(bitPattern: value))
        case .string(let value):
            writer.writeStringElement(3, value)
        case .double(let value):
            writer.writeTag(4, .fixed64)
            writer.writeFixed64(value.bitPattern)
        case .uint64(let value):
            writer.writeTag(5, .varint)
            writer.writeVarint(value)
        }
    }

    /// Equal members with equal values; doubles compare by their bits.
    public static func == (lhs: InferParameter, rhs: InferParameter) -> Bool {
        switch (lhs, rhs) {
        case (.unset, .unset): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int64(let a), .int64(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.double(let a), .double(let b)): a.bitPattern == b.bitPattern
        case (.uint64(let a), .uint64(let b)): a == b
        default: false
        }
    }
}
