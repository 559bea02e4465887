/// A protobuf field key: the field number and the wire type of the value that follows.
public struct ProtoTag: Sendable, Equatable {
    /// The field number, 1 through 2^29 − 1.
    public var fieldNumber: Int
    /// How the value is laid out.
    public var wireType: ProtoWireType

    /// A tag of `fieldNumber` with `wireType`.
    public init(fieldNumber: Int, wireType: ProtoWireType) {
        self.fieldNumber = fieldNumber
        self.wireType = wireType
    }

    /// The tag as it is written: the varint `fieldNumber << 3 | wireType`.
    public var key: UInt64 { UInt64(fieldNumber) << 3 | UInt64(wireType.rawValue) }
}
