/// A strict reader of the protobuf wire format over a slice of the caller's buffer. It never
/// copies: length-delimited values come back as sub-slices of the same storage.
///
/// Strict where protobuf libraries are lenient: a varint of more than 10 bytes or one whose
/// 10th byte carries bits past 64 is an error (upb drops the bits), and so are groups (wire
/// types 3 and 4, not in proto3, which upb skips). Every length is checked against the bytes
/// left before it is used, in arithmetic that cannot overflow.
///
/// Errors thrown here carry an empty path; the field readers of `ProtoReader+Fields.swift`
/// and the messages put the field path in front.
public struct ProtoReader: Sendable {
    /// The bytes not read yet: a slice of the buffer the reader was made with.
    public private(set) var remaining: ArraySlice<UInt8>
    /// The caps the message decoders check.
    public let limits: GRPCCoreLimits
    /// How many length-delimited messages enclose this reader's bytes (0 at the top level).
    public let depth: Int
    /// The index of the top-level message's first byte, so errors give offsets into it.
    let origin: Int

    /// A reader of a top-level message.
    public init(_ bytes: ArraySlice<UInt8>, limits: GRPCCoreLimits = GRPCCoreLimits()) {
        self.init(bytes, limits: limits, depth: 0, origin: bytes.startIndex)
    }

    init(_ bytes: ArraySlice<UInt8>, limits: GRPCCoreLimits, depth: Int, origin: Int) {
        self.remaining = bytes
        self.limits = limits
        self.depth = depth
        self.origin = origin
    }

    /// True when every byte has been read.
    public var isAtEnd: Bool { remaining.isEmpty }

    /// The offset of the next byte from the start of the top-level message.
    public var offset: Int { remaining.startIndex - origin }

    /// The next field's tag, or nil at the end of the message.
    /// - Throws: ``GRPCCoreError/malformed(path:expected:)`` for a tag over 32 bits, wire
    ///   type 6 or 7, or field number 0. Groups are returned, and refused by the readers.
    public mutating func readTag() throws(GRPCCoreError) -> ProtoTag? {
        guard !remaining.isEmpty else { return nil }
        let at = offset
        let key = try readVarint()
        guard key <= UInt64(UInt32.max) else {
            throw .malformed(path: "", expected: "a field tag of at most 32 bits at byte \(at), got \(key)")
        }
        guard let wireType = ProtoWireType(rawValue: UInt8(key & 7)) else {
            throw .malformed(path: "", expected: "a wire type of 0, 1, 2 or 5 at byte \(at), got \(key & 7)")
        }
        guard key >> 3 != 0 else { throw .malformed(path: "", expected: "a field number of 1 or more at byte \(at), got 0") }
        return ProtoTag(fieldNumber: Int(key >> 3), wireType: wireType)
    }

    /// A base-128 varint of at most 10 bytes whose value fits in 64 bits. Non-minimal
    /// encodings (`80 00` for 0) are accepted, as protobuf accepts them.
    public mutating func readVarint() throws(GRPCCoreError) -> UInt64 {
        var index = remaining.startIndex
        guard let value = Self.decodeVarint(remaining, at: &index) else {
            throw varintError(at: offset, ended: index == remaining.endIndex)
        }
        remaining = remaining[index...]
        return value
    }

    /// Decodes the varint at `index` of `bytes` and moves `index` past it; nil when the
    /// bytes end inside it (then `index == bytes.endIndex`) or it is longer than 10 bytes
    /// or carries bits past 64.
    @inline(__always)
    static func decodeVarint(_ bytes: ArraySlice<UInt8>, at index: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.endIndex {
            let byte = bytes[index]
            // The 10th byte holds bit 63 alone: 0 or 1, without a continuation bit.
            if shift == 63, byte > 1 { return nil }
            index += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }

    func varintError(at byte: Int, ended: Bool) -> GRPCCoreError {
        ended
            ? .malformed(path: "", expected: "a complete varint at byte \(byte), the message ends inside it")
            : .malformed(path: "", expected: "a varint of at most 10 bytes that fits in 64 bits at byte \(byte)")
    }

    /// 4 little-endian bytes.
    public mutating func readFixed32() throws(GRPCCoreError) -> UInt32 {
        let bytes = try take(4, what: "4 bytes of a fixed32")
        var value: UInt32 = 0
        for (shift, byte) in bytes.enumerated() { value |= UInt32(byte) << (8 * shift) }
        return value
    }

    /// 8 little-endian bytes.
    public mutating func readFixed64() throws(GRPCCoreError) -> UInt64 {
        let bytes = try take(8, what: "8 bytes of a fixed64")
        var value: UInt64 = 0
        for (shift, byte) in bytes.enumerated() { value |= UInt64(byte) << (8 * shift) }
        return value
    }

    /// A varint length and that many bytes, as a slice of the buffer (no copy).
    public mutating func readLengthDelimited() throws(GRPCCoreError) -> ArraySlice<UInt8> {
        let at = offset
        let length = try readVarint()
        // Compared as UInt64: a claimed length near 2^64 must not wrap into a small Int.
        guard length <= UInt64(remaining.count) else {
            throw .malformed(
                path: "", expected: "a length within the \(remaining.count) bytes left at byte \(at), got \(length)")
        }
        return try take(Int(length), what: "the length-delimited value")
    }

    /// A reader of the embedded message that follows (a length-delimited value), one level
    /// deeper.
    /// - Throws: ``GRPCCoreError/invalid(path:expected:)`` past ``GRPCCoreLimits/maxDepth``.
    public mutating func readNested() throws(GRPCCoreError) -> ProtoReader {
        guard depth < limits.maxDepth else {
            throw .invalid(path: "", expected: "messages nested at most \(limits.maxDepth) deep")
        }
        let bytes = try readLengthDelimited()
        return ProtoReader(bytes, limits: limits, depth: depth + 1, origin: origin)
    }

    /// Skips the value of an unknown field: wire types 0, 1, 2 and 5 (proto3 parsers must
    /// skip fields they do not know).
    /// - Throws: ``GRPCCoreError/malformed(path:expected:)`` for a group (wire type 3 or 4)
    ///   or a truncated value.
    public mutating func skip(wireType: ProtoWireType) throws(GRPCCoreError) {
        switch wireType {
        case .varint: _ = try readVarint()
        case .fixed64: _ = try readFixed64()
        case .lengthDelimited: _ = try readLengthDelimited()
        case .fixed32: _ = try readFixed32()
        case .startGroup, .endGroup:
            throw .malformed(path: "", expected: "no group (wire type \(wireType), not in proto3) at byte \(offset)")
        }
    }

    /// Skips the value of a field the message does not know, naming it `#number` in errors.
    public mutating func skipUnknown(_ tag: ProtoTag) throws(GRPCCoreError) {
        do throws(GRPCCoreError) { try skip(wireType: tag.wireType) } catch { throw error.within("#\(tag.fieldNumber)") }
    }

    /// The next `count` bytes, or an error naming `what` when fewer are left.
    mutating func take(_ count: Int, what: String) throws(GRPCCoreError) -> ArraySlice<UInt8> {
        guard count <= remaining.count else {
            throw .malformed(path: "", expected: "\(what) at byte \(offset), \(remaining.count) left")
        }
        let start = remaining.startIndex
        defer { remaining = remaining[(start + count)...] }
        return remaining[start..<start + count]
    }
}
