/// Readers of one field's value, given the tag just read: each checks the wire type against
/// the field's declared type (strict: protobuf libraries treat a mismatch as an unknown field,
/// no encoder writes one) and names the field in errors.
extension ProtoReader {
    /// The value of an `int64` field (a varint, two's complement).
    public mutating func readInt64(_ tag: ProtoTag, field: StaticString) throws(GRPCCoreError) -> Int64 {
        Int64(bitPattern: try readVarintField(tag, field))
    }

    /// The value of a `uint64` field.
    public mutating func readUInt64(_ tag: ProtoTag, field: StaticString) throws(GRPCCoreError) -> UInt64 {
        try readVarintField(tag, field)
    }

    /// The value of an `int32` or enum field: the varint truncated to 32 bits, as protobuf
    /// does (negative values are sent sign-extended to 10 bytes).
    public mutating func readInt32(_ tag: ProtoTag, field: StaticString) throws(GRPCCoreError) -> Int32 {
        Int32(truncatingIfNeeded: try readVarintField(tag, field))
    }

    /// The value of a `uint32` field: the varint truncated to 32 bits.
    public mutating func readUInt32(_ tag: ProtoTag, field: StaticString) throws(GRPCCoreError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readVarintField(tag, field))
    }

    /// The value of a `bool` field: any nonzero varint is true, as protobuf reads it.
    public mutating func readBool(_ tag: ProtoTag, field: StaticString) throws(GRPCCoreError) -> Bool {
        try readVarintField(tag, field) != 0
    }

    /// The value of a `double` field (fixed64, IEEE 754 bits kept exactly, NaN payloads too).
    public mutating func readDouble(_ tag: ProtoTag, field: StaticString) throws(GRPCCoreError) -> Double {
        do throws(GRPCCoreError) {
            try expect(tag, .fixed64)
            return Double(bitPattern: try readFixed64())
        } catch { throw error.within("\(field)") }
    }

    /// The value of a `string` field: UTF-8 checked (as upb checks it), at most
    /// ``GRPCCoreLimits/maxStringBytes`` bytes.
    public mutating func readString(_ tag: ProtoTag, field: StaticString) throws(GRPCCoreError) -> String {
        do throws(GRPCCoreError) { return try readStringValue(tag) } catch { throw error.within("\(field)") }
    }

    /// The value of a `bytes` field: a slice of the buffer, never copied.
    public mutating func readBytes(_ tag: ProtoTag, field: StaticString) throws(GRPCCoreError) -> ArraySlice<UInt8> {
        do throws(GRPCCoreError) {
            try expect(tag, .lengthDelimited)
            return try readLengthDelimited()
        } catch { throw error.within("\(field)") }
    }

    /// Merges an embedded message into `message`: protobuf merges a singular message field
    /// that occurs twice (repeated fields concatenate, scalars take the last value).
    public mutating func mergeMessage<Message: ProtoMessage>(
        _ tag: ProtoTag, field: StaticString, index: Int? = nil, into message: inout Message
    ) throws(GRPCCoreError) {
        do throws(GRPCCoreError) {
            try expect(tag, .lengthDelimited)
            var nested = try readNested()
            try message.merge(from: &nested)
        } catch { throw error.within("\(field)", index: index) }
    }

    /// Appends one element of a repeated message field, refusing the `maxCount + 1`th.
    public mutating func appendMessage<Message: ProtoMessage>(
        _ tag: ProtoTag, field: StaticString, to messages: inout [Message], maxCount: Int
    ) throws(GRPCCoreError) {
        do throws(GRPCCoreError) { try checkCount(messages.count, maxCount) } catch { throw error.within("\(field)") }
        var message = Message()
        try mergeMessage(tag, field: field, index: messages.count, into: &message)
        messages.append(message)
    }

    /// Appends one element of a `repeated string` field, refusing the `maxCount + 1`th.
    public mutating func appendString(
        _ tag: ProtoTag, field: StaticString, to strings: inout [String], maxCount: Int
    ) throws(GRPCCoreError) {
        do throws(GRPCCoreError) { try checkCount(strings.count, maxCount) } catch { throw error.within("\(field)") }
        do throws(GRPCCoreError) {
            strings.append(try readStringValue(tag))
        } catch { throw error.within("\(field)", index: strings.count) }
    }

    /// Appends one element of a `repeated bytes` field (a slice, no copy), refusing the
    /// `maxCount + 1`th.
    public mutating func appendBytes(
        _ tag: ProtoTag, field: StaticString, to values: inout [ArraySlice<UInt8>], maxCount: Int
    ) throws(GRPCCoreError) {
        do throws(GRPCCoreError) { try checkCount(values.count, maxCount) } catch { throw error.within("\(field)") }
        do throws(GRPCCoreError) {
            try expect(tag, .lengthDelimited)
            values.append(try readLengthDelimited())
        } catch { throw error.within("\(field)", index: values.count) }
    }

    /// Throws unless `tag` has `wireType`.
    func expect(_ tag: ProtoTag, _ wireType: ProtoWireType) throws(GRPCCoreError) {
        guard tag.wireType == wireType else {
            throw .malformed(path: "", expected: "wire type \(wireType) before byte \(offset), got \(tag.wireType)")
        }
    }

    /// Throws unless one more element fits under `maxCount`.
    func checkCount(_ count: Int, _ maxCount: Int) throws(GRPCCoreError) {
        guard count < maxCount else { throw .invalid(path: "", expected: "at most \(maxCount) elements") }
    }

    private mutating func readStringValue(_ tag: ProtoTag) throws(GRPCCoreError) -> String {
        try expect(tag, .lengthDelimited)
        let bytes = try readLengthDelimited()
        guard bytes.count <= limits.maxStringBytes else {
            throw .invalid(path: "", expected: "a string of at most \(limits.maxStringBytes) bytes, got \(bytes.count)")
        }
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw .malformed(path: "", expected: "a string of valid UTF-8 ending before byte \(offset)")
        }
        return string
    }

    private mutating func readVarintField(_ tag: ProtoTag, _ field: StaticString) throws(GRPCCoreError) -> UInt64 {
        do throws(GRPCCoreError) {
            try expect(tag, .varint)
            return try readVarint()
        } catch { throw error.within("\(field)") }
    }
}
