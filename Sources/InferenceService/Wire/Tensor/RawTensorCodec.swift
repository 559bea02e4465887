import DenseKernel

/// Little-endian raw tensor bytes (the `b64` form and the V2 binary extension).
public enum RawTensorCodec {
    /// Decodes `count` little-endian values of `dtype`. Floats keep float32 (float16 and
    /// bfloat16 widen exactly); float64 and integers go to float64 storage (exact).
    public static func decode(bytes: ArraySlice<UInt8>, dtype: WireDType, count: Int, field: String) throws(ServiceError) -> TensorStorage {
        precondition(bytes.count == count * dtype.byteSize)
        return bytes.withUnsafeBytes { raw -> TensorStorage in
            switch dtype {
            case .float32:
                return .float32(
                    (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) })
            case .float64:
                return .float64(
                    (0..<count).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
                )
            case .float16:
                return .float32(
                    (0..<count).map {
                        Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))))
                    })
            case .bfloat16:
                return .float32(
                    (0..<count).map { bfloat16ToFloat(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) })
            case .int8: return .float64((0..<count).map { Double(Int8(bitPattern: raw[$0])) })
            case .uint8: return .float64((0..<count).map { Double(raw[$0]) })
            case .bool: return .float64((0..<count).map { raw[$0] == 0 ? 0 : 1 })
            case .int16:
                return .float64((0..<count).map { Double(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self))) })
            case .uint16:
                return .float64(
                    (0..<count).map { Double(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) })
            case .int32:
                return .float64((0..<count).map { Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) })
            case .uint32:
                return .float64(
                    (0..<count).map { Double(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) })
            case .int64:
                return .float64((0..<count).map { Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))) })
            case .uint64:
                return .float64(
                    (0..<count).map { Double(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) })
            }
        }
    }

    /// The INT64/UINT64 values of `bytes` when at least one is beyond 2^53 (where `decode`'s
    /// float64 rounds, and a float32 layer would round a second time); nil otherwise, and for
    /// every other dtype, whose values float64 holds exactly.
    public static func exactIntegers(bytes: ArraySlice<UInt8>, dtype: WireDType, count: Int) -> ExactIntegers? {
        precondition(bytes.count == count * dtype.byteSize)
        return bytes.withUnsafeBytes { raw -> ExactIntegers? in
            switch dtype {
            case .int64:
                let values = (0..<count).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
                return values.contains { $0.magnitude > 1 << 53 } ? .int64(values) : nil
            case .uint64:
                let values = (0..<count).map { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)) }
                return values.contains { $0 > 1 << 53 } ? .uint64(values) : nil
            default:
                return nil
            }
        }
    }

    /// Little-endian bytes of a float32 or float64 storage.
    public static func encode(_ storage: TensorStorage) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: encodedByteCount(storage))
        out.withUnsafeMutableBytes { encode(storage, into: $0) }
        return out
    }

    /// Writes the little-endian bytes of a float32 or float64 storage into `destination`,
    /// which holds exactly `count × 4` or `count × 8` bytes (a gRPC answer's raw output,
    /// written in place).
    public static func encode(_ storage: TensorStorage, into destination: UnsafeMutableRawBufferPointer) {
        switch storage {
        case .float32(let values):
            precondition(destination.count == values.count * 4)
            for (index, value) in values.enumerated() {
                destination.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: index * 4, as: UInt32.self)
            }
        case .float64(let values):
            precondition(destination.count == values.count * 8)
            for (index, value) in values.enumerated() {
                destination.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: index * 8, as: UInt64.self)
            }
        }
    }

    /// Bytes of a float32 or float64 storage's little-endian encoding.
    public static func encodedByteCount(_ storage: TensorStorage) -> Int {
        switch storage {
        case .float32(let values): values.count * 4
        case .float64(let values): values.count * 8
        }
    }

    /// bfloat16 is the top half of a float32.
    public static func bfloat16ToFloat(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// float32 → bfloat16 with round-to-nearest-even (NaN stays NaN).
    public static func floatToBFloat16(_ value: Float) -> UInt16 {
        if value.isNaN { return 0x7FC0 }
        let bits = value.bitPattern
        let rounding = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }

    /// float64 → bfloat16, rounded once to nearest even from the double (a JSON number to a
    /// BF16 input). Through float32 rounded to odd — the truncated value with its last bit set
    /// when inexact — whose 16 extra bits keep the double's sticky information, so the final
    /// rounding cannot meet a false tie (decimal → double → float → bf16 turned
    /// 1.003906250931322574615478515625 into 1.0; the nearest bfloat16 is 1.0078125).
    public static func doubleToBFloat16(_ value: Double) -> UInt16 {
        if value.isNaN { return 0x7FC0 }
        let nearest = Float(value)
        guard nearest.isFinite, Double(nearest) != value else { return floatToBFloat16(nearest) }
        // Float's bit pattern is sign and magnitude: one less is one ulp toward zero.
        let truncated = abs(Double(nearest)) > abs(value) ? nearest.bitPattern &- 1 : nearest.bitPattern
        return floatToBFloat16(Float(bitPattern: truncated | 1))
    }

    /// The values an integer dtype holds, as doubles: `low ≤ value < upperExclusive` (the
    /// upper bound is exclusive because 2^63 and 2^64, the doubles next to Int64.max and
    /// UInt64.max, are out of range), and the range in words for messages.
    static func integerRange(_ dtype: WireDType) -> (low: Double, upperExclusive: Double, text: String) {
        switch dtype {
        case .int8: (-128, 128, "-128 to 127")
        case .uint8: (0, 256, "0 to 255")
        case .int16: (-32768, 32768, "-32768 to 32767")
        case .uint16: (0, 65536, "0 to 65535")
        case .int32: (-0x1p31, 0x1p31, "-2147483648 to 2147483647")
        case .uint32: (0, 0x1p32, "0 to 4294967295")
        case .int64: (-0x1p63, 0x1p63, "-9223372036854775808 to 9223372036854775807")
        case .uint64: (0, 0x1p64, "0 to 18446744073709551615")
        default: (-.infinity, .infinity, "any value")
        }
    }
}
