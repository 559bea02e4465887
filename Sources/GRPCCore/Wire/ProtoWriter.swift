/// A writer of the protobuf wire format that appends to one `[UInt8]`.
///
/// Embedded messages are written in place: the length is given one byte, the body is
/// written after it, and when the body turns out 128 bytes or longer it is moved up by the
/// length's extra bytes (one `memmove` of that body). The messages DenseServe sends keep their
/// large payloads (`raw_output_contents`) in top-level fields, which are never moved, so
/// there is no size pass over the message and no scratch buffer.
public struct ProtoWriter: Sendable {
    /// The bytes written so far (and whatever the writer was made with in front of them).
    public var bytes: [UInt8]

    /// A writer that appends to `bytes`, with room for `capacity` bytes in all.
    public init(appendingTo bytes: [UInt8] = [], capacity: Int = 0) {
        self.bytes = bytes
        if capacity > bytes.count { self.bytes.reserveCapacity(capacity) }
    }

    /// Bytes a varint of `value` takes: 1 to 10.
    public static func varintSize(_ value: UInt64) -> Int {
        // 7 bits per byte; 0 still takes one byte.
        (64 - value.leadingZeroBitCount + 6) / 7 + (value == 0 ? 1 : 0)
    }

    /// Makes room for `count` more bytes. Grows at least geometrically: `reserveCapacity`
    /// alone allocates exactly what it is asked for, and asking for a little more before
    /// every field would reallocate (and copy) the whole buffer each time.
    public mutating func reserveAdditional(_ count: Int) {
        guard bytes.capacity - bytes.count < count else { return }
        bytes.reserveCapacity(Swift.max(bytes.count + count, 2 * bytes.capacity))
    }

    /// Appends `value` as a minimal base-128 varint.
    public mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// Appends the tag of `fieldNumber` with `wireType`.
    /// - Precondition: `1 <= fieldNumber < 2^29`.
    public mutating func writeTag(_ fieldNumber: Int, _ wireType: ProtoWireType) {
        precondition(fieldNumber > 0 && fieldNumber < 1 << 29, "protobuf field numbers are 1 through 2^29 - 1")
        writeVarint(ProtoTag(fieldNumber: fieldNumber, wireType: wireType).key)
    }

    /// Appends 4 little-endian bytes.
    public mutating func writeFixed32(_ value: UInt32) {
        for shift in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * shift))) }
    }

    /// Appends 8 little-endian bytes.
    public mutating func writeFixed64(_ value: UInt64) {
        for shift in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * shift))) }
    }

    /// Appends a length-delimited field whose body `writeBody` appends: the embedded-message
    /// form, used for messages, map entries and packed runs. The field is written even when
    /// the body is empty (a present but empty message).
    public mutating func writeLengthDelimited(_ fieldNumber: Int, _ writeBody: (inout ProtoWriter) -> Void) {
        writeTag(fieldNumber, .lengthDelimited)
        let lengthAt = bytes.count
        bytes.append(0)
        writeBody(&self)
        let length = bytes.count - lengthAt - 1
        let size = Self.varintSize(UInt64(length))
        if size > 1 { bytes.insert(contentsOf: repeatElement(0, count: size - 1), at: lengthAt + 1) }
        var value = UInt64(length)
        for index in lengthAt..<lengthAt + size {
            bytes[index] = UInt8(truncatingIfNeeded: value) | (index + 1 < lengthAt + size ? 0x80 : 0)
            value >>= 7
        }
    }
}
