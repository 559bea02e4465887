/// Readers of repeated scalar fields. proto3 writes them packed (one length-delimited run of
/// values) but parsers must accept both packed and unpacked (one tagged value per element),
/// and concatenate runs; both are read here.
///
/// Memory: a packed run's element count is counted from its bytes (varints: the bytes below
/// 0x80; fixed: length / width), never taken from a claimed count, so the capacity reserved
/// is at most 8 bytes per wire byte.
extension ProtoReader {
    /// Appends the values of a `repeated int64` field (shapes, `int64_contents`).
    public mutating func appendInt64s(
        _ tag: ProtoTag, field: StaticString, to values: inout [Int64], maxCount: Int = .max
    ) throws(GRPCCoreError) {
        try appendVarints(tag, field, &values, maxCount) { Int64(bitPattern: $0) }
    }

    /// Appends the values of a `repeated uint64` field.
    public mutating func appendUInt64s(
        _ tag: ProtoTag, field: StaticString, to values: inout [UInt64], maxCount: Int = .max
    ) throws(GRPCCoreError) {
        try appendVarints(tag, field, &values, maxCount) { $0 }
    }

    /// Appends the values of a `repeated int32` field (each varint truncated to 32 bits).
    public mutating func appendInt32s(
        _ tag: ProtoTag, field: StaticString, to values: inout [Int32], maxCount: Int = .max
    ) throws(GRPCCoreError) {
        try appendVarints(tag, field, &values, maxCount) { Int32(truncatingIfNeeded: $0) }
    }

    /// Appends the values of a `repeated uint32` field (each varint truncated to 32 bits).
    public mutating func appendUInt32s(
        _ tag: ProtoTag, field: StaticString, to values: inout [UInt32], maxCount: Int = .max
    ) throws(GRPCCoreError) {
        try appendVarints(tag, field, &values, maxCount) { UInt32(truncatingIfNeeded: $0) }
    }

    /// Appends the values of a `repeated bool` field (nonzero is true).
    public mutating func appendBools(
        _ tag: ProtoTag, field: StaticString, to values: inout [Bool], maxCount: Int = .max
    ) throws(GRPCCoreError) {
        try appendVarints(tag, field, &values, maxCount) { $0 != 0 }
    }

    /// Appends the values of a `repeated float` field (fixed32; bits kept exactly).
    public mutating func appendFloats(
        _ tag: ProtoTag, field: StaticString, to values: inout [Float], maxCount: Int = .max
    ) throws(GRPCCoreError) {
        try appendFixed(tag, field, &values, maxCount, width: 4) { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
    }

    /// Appends the values of a `repeated double` field (fixed64; bits kept exactly).
    public mutating func appendDoubles(
        _ tag: ProtoTag, field: StaticString, to values: inout [Double], maxCount: Int = .max
    ) throws(GRPCCoreError) {
        try appendFixed(tag, field, &values, maxCount, width: 8) { Double(bitPattern: $0) }
    }

    private mutating func appendVarints<Value>(
        _ tag: ProtoTag, _ field: StaticString, _ values: inout [Value], _ maxCount: Int, _ convert: (UInt64) -> Value
    ) throws(GRPCCoreError) {
        do throws(GRPCCoreError) {
            switch tag.wireType {
            case .varint:
                try checkCount(values.count, maxCount)
                values.append(convert(try readVarint()))
            case .lengthDelimited:
                let start = offset
                let packed = try readLengthDelimited()
                // Every varint ends in exactly one byte below 0x80.
                let count = packed.reduce(0) { $1 < 0x80 ? $0 + 1 : $0 }
                try reserve(count, in: &values, maxCount)
                var index = packed.startIndex
                while index < packed.endIndex {
                    let at = start + (index - packed.startIndex)
                    guard let value = Self.decodeVarint(packed, at: &index) else {
                        throw varintError(at: at, ended: index == packed.endIndex)
                    }
                    values.append(convert(value))
                }
            default:
                throw .malformed(path: "", expected: "wire type 0 (varint) or 2 (packed) before byte \(offset), got \(tag.wireType)")
            }
        } catch { throw error.within("\(field)") }
    }

    /// `Value` is `Float` or `Double`: `width` bytes, the IEEE bits of `convert`'s input.
    private mutating func appendFixed<Value>(
        _ tag: ProtoTag, _ field: StaticString, _ values: inout [Value], _ maxCount: Int, width: Int,
        _ convert: (UInt64) -> Value
    ) throws(GRPCCoreError) {
        let wireType: ProtoWireType = width == 4 ? .fixed32 : .fixed64
        do throws(GRPCCoreError) {
            switch tag.wireType {
            case wireType:
                try checkCount(values.count, maxCount)
                values.append(convert(width == 4 ? UInt64(try readFixed32()) : try readFixed64()))
            case .lengthDelimited:
                let packed = try readLengthDelimited()
                guard packed.count % width == 0 else {
                    throw .malformed(
                        path: "", expected: "a packed length that is a multiple of \(width) before byte \(offset), got \(packed.count)")
                }
                let count = packed.count / width
                try reserve(count, in: &values, maxCount)
                guard count > 0 else { break }
                #if _endian(little)
                    // Float and Double are their little-endian IEEE bits: one memcpy (the run may
                    // sit at any alignment, so it cannot be read in place as [Float]).
                    precondition(MemoryLayout<Value>.stride == width, "Float or Double")
                    let start = values.count
                    values.append(contentsOf: repeatElement(convert(0), count: count))
                    values.withUnsafeMutableBytes { destination in
                        packed.withUnsafeBytes { source in
                            destination.baseAddress!.advanced(by: start * width).copyMemory(
                                from: source.baseAddress!, byteCount: source.count)
                        }
                    }
                #else
                    packed.withUnsafeBytes { raw in
                        for element in 0..<count {
                            let bits =
                                width == 4
                                ? UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: element * 4, as: UInt32.self)))
                                : UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: element * 8, as: UInt64.self))
                            values.append(convert(bits))
                        }
                    }
                #endif
            default:
                throw .malformed(path: "", expected: "wire type \(wireType) or 2 (packed) before byte \(offset), got \(tag.wireType)")
            }
        } catch { throw error.within("\(field)") }
    }

    /// Makes room for `count` more values, refusing to pass `maxCount`; grows at least
    /// geometrically, so many short packed runs of one field cost linear time.
    private func reserve<Value>(_ count: Int, in values: inout [Value], _ maxCount: Int) throws(GRPCCoreError) {
        guard count <= maxCount - values.count else { throw .invalid(path: "", expected: "at most \(maxCount) elements") }
        if values.capacity - values.count < count { values.reserveCapacity(Swift.max(values.count + count, 2 * values.capacity)) }
    }
}
