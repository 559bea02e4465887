/// One attribute of an HDF5 object (an attribute message, §IV.A.2.m): its name, datatype
/// and shape; its value is decoded on request.
public struct HDF5Attribute: Sendable {
    public let name: String
    public let datatype: HDF5Datatype
    /// Dimensions; empty for a scalar.
    public let shape: [Int]
    public let elementCount: Int
    let type: HDF5ParsedType
    /// The stored value: `elementCount × element size` bytes of the file.
    let data: Range<Int>
    let file: HDF5File
    let owner: String

    init(file: HDF5File, message: HDF5ObjectHeader.Message, owner: String) throws(KerasFileError) {
        let view = file.body(message)
        let what = "attribute message at offset \(message.body.lowerBound) of \(owner)"
        let version = try view.u8(0, what)
        guard (1...3).contains(version) else { throw .unsupported("\(what): version \(version); expected 1 to 3") }
        let flags = try view.u8(1, what)
        guard version == 1 || flags & 0x03 == 0 else { throw .unsupported("\(what): a shared datatype or dataspace") }
        let nameSize = try view.u16(2, what)
        let typeSize = try view.u16(4, what)
        let spaceSize = try view.u16(6, what)
        // Version 1 pads each part to 8 bytes; 2 and 3 do not; 3 adds a character set byte.
        let pad: (Int) -> Int = { version == 1 ? ($0 + 7) / 8 * 8 : $0 }
        let nameAt = version == 3 ? 9 : 8
        let nameRange = try view.range(nameAt, nameSize, what)
        let typeRange = try view.range(nameAt + pad(nameSize), typeSize, what)
        let spaceRange = try view.range(typeRange.lowerBound + pad(typeSize), spaceSize, what)
        let nameBytes = view.slice(nameRange)
        guard nameBytes.last == 0, let name = String(validating: nameBytes.dropLast(), as: UTF8.self), !name.contains("\u{0}") else {
            throw .malformed("\(what): the name is not NUL-terminated UTF-8")
        }
        let named = "attribute \(name) of \(owner)"
        let type = try file.datatype(ByteView(view.slice(typeRange)), "\(named) datatype")
        let space = try file.dataspace(ByteView(view.slice(spaceRange)), "\(named) dataspace")
        let (bytes, overflow) = space.elementCount.multipliedReportingOverflow(by: type.size)
        guard !overflow else { throw .malformed("\(named): its size overflows") }
        let local = try view.range(spaceRange.lowerBound + pad(spaceSize), bytes, "\(named) value")
        self.name = name
        self.datatype = type.type
        self.shape = space.shape
        self.elementCount = space.elementCount
        self.type = type
        self.data = (message.body.lowerBound + local.lowerBound)..<(message.body.lowerBound + local.upperBound)
        self.file = file
        self.owner = owner
    }

    /// The value as strings (one per element, C order), for fixed-length strings (padding
    /// removed as the type says) and variable-length strings (read from the global heap).
    /// Each must be UTF-8.
    /// - Throws: 422 for other datatypes; 413 past ``KerasFileLimits/maxAttributeBytes`` or
    ///   ``KerasFileLimits/maxElements``; 400 for bad heap references or non-UTF-8 bytes.
    public func strings() throws(KerasFileError) -> [String] {
        let what = "attribute \(name) of \(owner)"
        let limits = file.limits
        guard elementCount <= limits.maxElements else {
            throw .overLimit(what: "elements of \(what) (\(elementCount))", limit: limits.maxElements)
        }
        let view = ByteView(file.bytes.slice(data))
        var total = 0
        var heap = GlobalHeapCache()
        var result: [String] = []
        for i in 0..<elementCount {
            let bytes: ArraySlice<UInt8>
            switch type.type {
            case .fixedString(let length):
                let raw = view.slice((i * length)..<((i + 1) * length))
                switch type.padding {
                case 0: bytes = raw.prefix { $0 != 0 }  // NUL-terminated
                case 1: bytes = raw[..<(raw.lastIndex { $0 != 0 }.map { $0 + 1 } ?? raw.startIndex)]  // NUL-padded
                default: bytes = raw[..<(raw.lastIndex { $0 != 0x20 }.map { $0 + 1 } ?? raw.startIndex)]  // space-padded
                }
            case .variableString:
                bytes = try file.globalHeapString(view, at: i * type.size, cache: &heap, what)
            default:
                throw .unsupported("\(what) holds \(datatype); expected strings")
            }
            total += bytes.count
            guard total <= limits.maxAttributeBytes else {
                throw .overLimit(what: "bytes of \(what)", limit: limits.maxAttributeBytes)
            }
            guard let string = String(validating: bytes, as: UTF8.self) else { throw .malformed("\(what): element \(i) is not UTF-8") }
            result.append(string)
        }
        return result
    }
}
