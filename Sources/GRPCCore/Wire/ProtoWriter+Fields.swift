/// Writers of one field. Singular scalars follow proto3: a default value (0, false, "",
/// empty bytes) is not written. Repeated fields write every element (an empty string in a
/// repeated field too) and numeric ones are packed, as proto3 serializers write them.
extension ProtoWriter {
    /// An `int64` field: a varint of the two's complement (10 bytes for a negative value).
    public mutating func writeInt64(_ fieldNumber: Int, _ value: Int64) {
        writeUInt64(fieldNumber, UInt64(bitPattern: value))
    }

    /// A `uint64` field.
    public mutating func writeUInt64(_ fieldNumber: Int, _ value: UInt64) {
        guard value != 0 else { return }
        writeTag(fieldNumber, .varint)
        writeVarint(value)
    }

    /// An `int32` or enum field: negative values are sign-extended to 10 bytes, as protobuf
    /// writes them.
    public mutating func writeInt32(_ fieldNumber: Int, _ value: Int32) {
        writeUInt64(fieldNumber, UInt64(bitPattern: Int64(value)))
    }

    /// A `uint32` field.
    public mutating func writeUInt32(_ fieldNumber: Int, _ value: UInt32) {
        writeUInt64(fieldNumber, UInt64(value))
    }

    /// A `bool` field (true only).
    public mutating func writeBool(_ fieldNumber: Int, _ value: Bool) {
        writeUInt64(fieldNumber, value ? 1 : 0)
    }

    /// A `double` field: its IEEE 754 bits; +0.0 is the default and not written (-0.0 is).
    public mutating func writeDouble(_ fieldNumber: Int, _ value: Double) {
        guard value.bitPattern != 0 else { return }
        writeTag(fieldNumber, .fixed64)
        writeFixed64(value.bitPattern)
    }

    /// A `string` field (not written when empty).
    public mutating func writeString(_ fieldNumber: Int, _ value: String) {
        guard !value.isEmpty else { return }
        writeStringElement(fieldNumber, value)
    }

    /// A `bytes` field (not written when empty), copied once from `value`.
    public mutating func writeBytes(_ fieldNumber: Int, _ value: ArraySlice<UInt8>) {
        guard !value.isEmpty else { return }
        writeBytesElement(fieldNumber, value)
    }

    /// A `bytes` field (not written when empty), copied once from raw memory (a tensor's
    /// storage, without making an array of it first).
    public mutating func writeBytes(_ fieldNumber: Int, _ value: UnsafeRawBufferPointer) {
        guard !value.isEmpty else { return }
        writeTag(fieldNumber, .lengthDelimited)
        writeVarint(UInt64(value.count))
        value.withMemoryRebound(to: UInt8.self) { bytes.append(contentsOf: $0) }
    }

    /// One element of a `repeated string` field, or a string that must be written even when
    /// empty (a map key).
    public mutating func writeStringElement(_ fieldNumber: Int, _ value: String) {
        writeTag(fieldNumber, .lengthDelimited)
        writeVarint(UInt64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    /// One element of a `repeated bytes` field (written even when empty).
    public mutating func writeBytesElement(_ fieldNumber: Int, _ value: ArraySlice<UInt8>) {
        writeTag(fieldNumber, .lengthDelimited)
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A `repeated string` field.
    public mutating func writeStrings(_ fieldNumber: Int, _ values: [String]) {
        for value in values { writeStringElement(fieldNumber, value) }
    }

    /// A `repeated bytes` field.
    public mutating func writeBytesElements(_ fieldNumber: Int, _ values: [ArraySlice<UInt8>]) {
        let total = values.reduce(0) { $0 + $1.count + 11 }
        reserveAdditional(total)
        for value in values { writeBytesElement(fieldNumber, value) }
    }

    /// A packed `repeated int64` field (not written when empty).
    public mutating func writePackedInt64s(_ fieldNumber: Int, _ values: [Int64]) {
        writePackedVarints(fieldNumber, values) { UInt64(bitPattern: $0) }
    }

    /// A packed `repeated uint64` field.
    public mutating func writePackedUInt64s(_ fieldNumber: Int, _ values: [UInt64]) {
        writePackedVarints(fieldNumber, values) { $0 }
    }

    /// A packed `repeated int32` field (negative values sign-extended to 10 bytes).
    public mutating func writePackedInt32s(_ fieldNumber: Int, _ values: [Int32]) {
        writePackedVarints(fieldNumber, values) { UInt64(bitPattern: Int64($0)) }
    }

    /// A packed `repeated uint32` field.
    public mutating func writePackedUInt32s(_ fieldNumber: Int, _ values: [UInt32]) {
        writePackedVarints(fieldNumber, values) { UInt64($0) }
    }

    /// A packed `repeated bool` field.
    public mutating func writePackedBools(_ fieldNumber: Int, _ values: [Bool]) {
        writePackedVarints(fieldNumber, values) { $0 ? 1 : 0 }
    }

    /// A packed `repeated float` field (4 bytes each, bits kept exactly).
    public mutating func writePackedFloats(_ fieldNumber: Int, _ values: [Float]) {
        writePackedFixed(fieldNumber, values) { $0.writeFixed32($1.bitPattern) }
    }

    /// A packed `repeated double` field (8 bytes each, bits kept exactly).
    public mutating func writePackedDoubles(_ fieldNumber: Int, _ values: [Double]) {
        writePackedFixed(fieldNumber, values) { $0.writeFixed64($1.bitPattern) }
    }

    /// `Value` is `Float` or `Double`, whose little-endian IEEE bits are the wire's: on a
    /// little-endian machine the run is one copy of the array's bytes; elsewhere `writeOne`
    /// writes each value.
    private mutating func writePackedFixed<Value: BinaryFloatingPoint>(
        _ fieldNumber: Int, _ values: [Value], writeOne: (inout ProtoWriter, Value) -> Void
    ) {
        guard !values.isEmpty else { return }
        let width = MemoryLayout<Value>.size
        writeTag(fieldNumber, .lengthDelimited)
        writeVarint(UInt64(values.count * width))
        reserveAdditional(values.count * width)
        #if _endian(little)
            values.withUnsafeBytes { raw in raw.withMemoryRebound(to: UInt8.self) { bytes.append(contentsOf: $0) } }
        #else
            for value in values { writeOne(&self, value) }
        #endif
    }

    /// An embedded message field, written even when the message is empty (it is present).
    public mutating func writeMessage(_ fieldNumber: Int, _ message: some ProtoMessage) {
        writeLengthDelimited(fieldNumber) { message.encode(to: &$0) }
    }

    /// A `repeated` message field.
    public mutating func writeMessages(_ fieldNumber: Int, _ messages: [some ProtoMessage]) {
        for message in messages { writeMessage(fieldNumber, message) }
    }

    /// Packed varints: the length is summed first (exact), so the run is never moved.
    private mutating func writePackedVarints<Value>(_ fieldNumber: Int, _ values: [Value], _ bits: (Value) -> UInt64) {
        guard !values.isEmpty else { return }
        let length = values.reduce(0) { $0 + Self.varintSize(bits($1)) }
        writeTag(fieldNumber, .lengthDelimited)
        writeVarint(UInt64(length))
        reserveAdditional(length)
        for value in values { writeVarint(bits(value)) }
    }
}
