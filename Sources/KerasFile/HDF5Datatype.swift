/// The datatype of an HDF5 dataset or attribute (§IV.A.2.d), as far as this reader tells
/// them apart. Numbers are little-endian (big-endian ones are refused when parsed).
public enum HDF5Datatype: Sendable, Equatable, CustomStringConvertible {
    /// IEEE 754 binary16, binary32 or binary64 (`<f2`, `<f4`, `<f8`): `bits` 16, 32 or 64.
    case float(bits: Int)
    /// A two's complement (`signed`) or unsigned integer of `bytes` 1, 2, 4 or 8 bytes.
    case integer(bytes: Int, signed: Bool)
    /// A fixed-length string of `length` bytes, padded as the type says (h5py: numpy `S`).
    case fixedString(length: Int)
    /// A variable-length string: each element points into the global heap (h5py `str`).
    case variableString
    /// An opaque type of `size` bytes (Keras stores bfloat16 so).
    case opaque(size: Int)
    /// Any other class (§IV.A.2.d class number): compound, enum (h5py's bool), array, ….
    case other(typeClass: Int, size: Int)

    public var description: String {
        switch self {
        case .float(let bits): "<f\(bits / 8)"
        case .integer(let bytes, let signed): "<\(signed ? "i" : "u")\(bytes)"
        case .fixedString(let length): "|S\(length)"
        case .variableString: "vlen string"
        case .opaque(let size): "|V\(size)"
        case .other(let typeClass, let size): "class \(typeClass), \(size) bytes"
        }
    }
}

/// A parsed datatype message: the type, its stored element size, and for fixed strings
/// how they are padded.
struct HDF5ParsedType: Sendable {
    let type: HDF5Datatype
    let size: Int
    /// Fixed strings: 0 NUL-terminated, 1 NUL-padded, 2 space-padded (§IV.A.2.d class 3).
    let padding: Int
}

extension HDF5File {
    /// Parses a datatype message body (§IV.A.2.d).
    func datatype(_ view: ByteView, _ what: String) throws(KerasFileError) -> HDF5ParsedType {
        let head = try view.u8(0, what)
        let typeClass = Int(head & 0x0F)
        let bits = Int(try view.uint(1, 3, what))
        let size = try view.u32(4, what)
        let littleEndian = bits & 1 == 0
        switch typeClass {
        case 0:
            guard littleEndian else { throw .unsupported("\(what): big-endian integer; expected little-endian") }
            let offset = try view.u16(8, what)
            let precision = try view.u16(10, what)
            guard [1, 2, 4, 8].contains(size), offset == 0, precision == size * 8 else {
                throw .unsupported("\(what): integer of \(size) bytes with bit offset \(offset), precision \(precision)")
            }
            return .init(type: .integer(bytes: size, signed: bits & 0x08 != 0), size: size, padding: 0)
        case 1:
            guard bits & 0x41 == 0 else { throw .unsupported("\(what): big-endian or VAX float; expected little-endian IEEE") }
            let layout = [
                try view.u16(8, what), try view.u16(10, what), Int(try view.u8(12, what)), Int(try view.u8(13, what)),
                Int(try view.u8(14, what)), Int(try view.u8(15, what)), try view.u32(16, what), (bits >> 8) & 0xFF,
            ]
            // bit offset, precision, exponent location and size, mantissa location and size, bias, sign bit
            let ieee: [Int: [Int]] = [
                2: [0, 16, 10, 5, 0, 10, 15, 15], 4: [0, 32, 23, 8, 0, 23, 127, 31], 8: [0, 64, 52, 11, 0, 52, 1023, 63],
            ]
            guard let expected = ieee[size], layout == expected else {
                throw .unsupported("\(what): a \(size)-byte float that is not IEEE 754 binary\(size * 8)")
            }
            return .init(type: .float(bits: size * 8), size: size, padding: 0)
        case 3:
            guard size > 0 else { throw .malformed("\(what): fixed string of length 0") }
            return .init(type: .fixedString(length: size), size: size, padding: bits & 0x0F)
        case 9:
            guard bits & 0x0F == 1 else { return .init(type: .other(typeClass: 9, size: size), size: size, padding: 0) }
            guard size == 4 + offsetSize + 4 else {
                throw .malformed("\(what): variable-length string of \(size) bytes; expected \(8 + offsetSize)")
            }
            return .init(type: .variableString, size: size, padding: 0)
        case 5:
            return .init(type: .opaque(size: size), size: size, padding: 0)
        default:
            return .init(type: .other(typeClass: typeClass, size: size), size: size, padding: 0)
        }
    }
}
