/// The low 3 bits of a protobuf tag: how the field's value is laid out on the wire.
public enum ProtoWireType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// A base-128 varint: int32, int64, uint32, uint64, bool, enum.
    case varint = 0
    /// 8 little-endian bytes: double, fixed64.
    case fixed64 = 1
    /// A varint length, then that many bytes: string, bytes, messages, packed repeated scalars.
    case lengthDelimited = 2
    /// The start of a group: deprecated, absent from proto3, rejected by this module.
    case startGroup = 3
    /// The end of a group: rejected like ``startGroup``.
    case endGroup = 4
    /// 4 little-endian bytes: float, fixed32.
    case fixed32 = 5

    /// The wire type's number and name, for error messages: `2 (length-delimited)`.
    public var description: String {
        switch self {
        case .varint: "0 (varint)"
        case .fixed64: "1 (fixed64)"
        case .lengthDelimited: "2 (length-delimited)"
        case .startGroup: "3 (start group)"
        case .endGroup: "4 (end group)"
        case .fixed32: "5 (fixed32)"
        }
    }
}
