/// What a ``ProtoFieldMessage`` lists its fields to: a reader of the one field on the wire,
/// or a writer of them all. The typed entries below pair a reader of `ProtoReader+Fields`
/// with the writer of `ProtoWriter+Fields` for the same protobuf type, so an entry names
/// its field's number, name and type once.
public protocol ProtoFieldVisitor {
    /// `GRPCCoreError` when reading; `Never` when writing.
    associatedtype Failure: Error

    /// One field `number`: reading, `read` runs when it is the field on the wire (errors
    /// name the field); writing, `write` runs.
    mutating func field<Value>(
        _ number: Int, _ value: inout Value, read: (inout Value, ProtoTag, inout ProtoReader) throws(GRPCCoreError) -> Void,
        write: (Value, inout ProtoWriter) -> Void
    ) throws(Failure)
}

extension ProtoFieldVisitor {
    /// A `string` field (not written when empty).
    public mutating func string(_ number: Int, _ name: StaticString, _ value: inout String) throws(Failure) {
        try field(number, &value) { value, tag, reader throws(GRPCCoreError) in
            value = try reader.readString(tag, field: name)
        } write: {
            $1.writeString(number, $0)
        }
    }

    /// A `bool` field (written when true).
    public mutating func bool(_ number: Int, _ name: StaticString, _ value: inout Bool) throws(Failure) {
        try field(number, &value) { value, tag, reader throws(GRPCCoreError) in
            value = try reader.readBool(tag, field: name)
        } write: {
            $1.writeBool(number, $0)
        }
    }

    /// An `int32` field (not written when 0).
    public mutating func int32(_ number: Int, _ name: StaticString, _ value: inout Int32) throws(Failure) {
        try field(number, &value) { value, tag, reader throws(GRPCCoreError) in
            value = try reader.readInt32(tag, field: name)
        } write: {
            $1.writeInt32(number, $0)
        }
    }

    /// A `uint64` field (not written when 0).
    public mutating func uint64(_ number: Int, _ name: StaticString, _ value: inout UInt64) throws(Failure) {
        try field(number, &value) { value, tag, reader throws(GRPCCoreError) in
            value = try reader.readUInt64(tag, field: name)
        } write: {
            $1.writeUInt64(number, $0)
        }
    }

    /// An enum field: an open proto3 enum kept as its number (not written when 0).
    public mutating func enumeration<Enum: RawRepresentable>(
        _ number: Int, _ name: StaticString, _ value: inout Enum
    ) throws(Failure) where Enum.RawValue == Int32 {
        try field(number, &value) { value, tag, reader throws(GRPCCoreError) in
            // An open enum has a value for every number; the initializer cannot fail.
            if let read = Enum(rawValue: try reader.readInt32(tag, field: name)) { value = read }
        } write: {
            $1.writeInt32(number, $0.rawValue)
        }
    }

    /// A `repeated string` field of at most `max` elements when read.
    public mutating func strings(
        _ number: Int, _ name: StaticString, _ values: inout [String], max: KeyPath<GRPCCoreLimits, Int>
    ) throws(Failure) {
        try field(number, &values) { values, tag, reader throws(GRPCCoreError) in
            try reader.appendString(tag, field: name, to: &values, maxCount: reader.limits[keyPath: max])
        } write: {
            $1.writeStrings(number, $0)
        }
    }

    /// A `repeated bytes` field of at most `max` elements when read (slices, no copy).
    public mutating func bytesElements(
        _ number: Int, _ name: StaticString, _ values: inout [ArraySlice<UInt8>], max: KeyPath<GRPCCoreLimits, Int>
    ) throws(Failure) {
        try field(number, &values) { values, tag, reader throws(GRPCCoreError) in
            try reader.appendBytes(tag, field: name, to: &values, maxCount: reader.limits[keyPath: max])
        } write: {
            $1.writeBytesElements(number, $0)
        }
    }

    /// A packed `repeated int64` field of at most `max` elements when read.
    public mutating func int64s(
        _ number: Int, _ name: StaticString, _ values: inout [Int64], max: KeyPath<GRPCCoreLimits, Int>
    ) throws(Failure) {
        try field(number, &values) { values, tag, reader throws(GRPCCoreError) in
            try reader.appendInt64s(tag, field: name, to: &values, maxCount: reader.limits[keyPath: max])
        } write: {
            $1.writePackedInt64s(number, $0)
        }
    }

    /// A packed `repeated int32` field of at most `max` elements when read.
    public mutating func int32s(
        _ number: Int, _ name: StaticString, _ values: inout [Int32], max: KeyPath<GRPCCoreLimits, Int>
    ) throws(Failure) {
        try field(number, &values) { values, tag, reader throws(GRPCCoreError) in
            try reader.appendInt32s(tag, field: name, to: &values, maxCount: reader.limits[keyPath: max])
        } write: {
            $1.writePackedInt32s(number, $0)
        }
    }

    /// A `repeated` message field of at most `max` elements when read.
    public mutating func messages<Message: ProtoMessage>(
        _ number: Int, _ name: StaticString, _ values: inout [Message], max: KeyPath<GRPCCoreLimits, Int>
    ) throws(Failure) {
        try field(number, &values) { values, tag, reader throws(GRPCCoreError) in
            try reader.appendMessage(tag, field: name, to: &values, maxCount: reader.limits[keyPath: max])
        } write: {
            $1.writeMessages(number, $0)
        }
    }

    /// A singular message field, nil when absent: a second occurrence merges into the
    /// first, and a present message is written even when empty.
    public mutating func message<Message: ProtoMessage>(
        _ number: Int, _ name: StaticString, _ value: inout Message?
    ) throws(Failure) {
        try field(number, &value) { value, tag, reader throws(GRPCCoreError) in
            if value == nil { value = Message() }
            try reader.mergeMessage(tag, field: name, into: &value!)
        } write: {
            if let message = $0 { $1.writeMessage(number, message) }
        }
    }
}
