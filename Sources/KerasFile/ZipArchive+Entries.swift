extension ZipArchive {
    /// General purpose flag bits this reader accepts (§4.4.4): 1–2 (deflate options),
    /// 3 (data descriptor), 11 (UTF-8 names). Bit 0 (encrypted), 6 (strong encryption),
    /// 13 (masked headers) and the rest are refused.
    static let acceptedFlags = 0b0000_1000_0000_1110

    /// Parses the central directory entry at `offset` and checks its local header.
    /// Returns the entry, the offset of the next entry, and the bytes the member spans
    /// (local header through data descriptor).
    static func centralEntry(
        _ view: ByteView, at offset: Int, index: Int, cdEnd: Int
    ) throws(KerasFileError) -> (ZipEntry, Int, Range<Int>) {
        let what = "zip central directory entry \(index) at offset \(offset)"
        guard offset <= cdEnd - 46, view.matches([0x50, 0x4B, 0x01, 0x02], at: offset) else {
            throw .malformed("\(what): no central file header signature PK\\1\\2")
        }
        // The central entry opens with "version made by": then the fields the local header repeats.
        let (flags, rawMethod, crc, compressed, uncompressed, nameLength, extraLength) = try repeatedFields(view, at: offset + 2, what)
        let commentLength = try view.u16(offset + 32, what)
        let diskStart = try view.u16(offset + 34, what)
        let localOffset = try view.u32(offset + 42, what)
        let end = offset + 46 + nameLength + extraLength + commentLength
        guard end <= cdEnd else { throw .malformed("\(what): its name, extra field and comment run past the central directory") }
        let nameBytes = view.slice(offset + 46..<offset + 46 + nameLength)
        let name = try memberName(nameBytes, what)
        try checkExtra(view, (offset + 46 + nameLength)..<(offset + 46 + nameLength + extraLength), member: name)
        if flags & 1 != 0 || flags & 0x40 != 0 || flags & 0x2000 != 0 {
            throw .unsupported("zip member \(name) is encrypted (flags 0x\(String(flags, radix: 16)))")
        }
        guard flags & ~acceptedFlags == 0 else {
            throw .unsupported("zip member \(name) has general purpose flags 0x\(String(flags, radix: 16)); expected only bits 1-3, 11")
        }
        guard let method = ZipEntry.Method(rawValue: UInt16(rawMethod)) else {
            throw .unsupported("zip member \(name) uses compression method \(rawMethod); expected 0 (stored) or 8 (deflate)")
        }
        guard diskStart == 0 else { throw .unsupported("zip member \(name) starts on disk \(diskStart)") }
        if method == .stored, compressed != uncompressed {
            throw .malformed("stored zip member \(name) declares \(compressed) bytes stored but \(uncompressed) uncompressed")
        }
        // The local header (§4.3.7) must repeat the central entry.
        let local = "local header of zip member \(name) at offset \(localOffset)"
        guard view.matches([0x50, 0x4B, 0x03, 0x04], at: localOffset) else {
            throw .malformed("\(local): no local file header signature PK\\3\\4")
        }
        let (localFlags, localMethod, localCRC, localCompressed, localUncompressed, localNameLength, localExtraLength) =
            try repeatedFields(view, at: localOffset, local)
        guard localFlags == flags, localMethod == rawMethod else {
            throw .malformed(
                "\(local): flags \(localFlags) / method \(localMethod) differ from the central directory's \(flags) / \(rawMethod)")
        }
        let localName = try view.range(localOffset + 30, localNameLength, local)
        guard view.slice(localName).elementsEqual(nameBytes) else {
            throw .malformed("\(local): its name differs from the central directory's")
        }
        let localExtra = try view.range(localName.upperBound, localExtraLength, local)
        try checkExtra(view, localExtra, member: name)
        let described = (localCRC, localCompressed, localUncompressed)
        let hasDescriptor = flags & 0x8 != 0
        if !(described == (crc, compressed, uncompressed) || (hasDescriptor && described == (0, 0, 0))) {
            throw .malformed(
                "\(local): CRC/sizes \(localCRC)/\(localCompressed)/\(localUncompressed) differ from the central directory's \(crc)/\(compressed)/\(uncompressed)"
            )
        }
        let data = try view.range(localExtra.upperBound, compressed, "data of zip member \(name)")
        var spanEnd = data.upperBound
        if hasDescriptor {
            // §4.3.9: an optional signature, then CRC-32 and the two 4-byte sizes.
            let start = view.matches([0x50, 0x4B, 0x07, 0x08], at: data.upperBound) ? data.upperBound + 4 : data.upperBound
            let d = "data descriptor of zip member \(name)"
            let values = (UInt32(try view.u32(start, d)), try view.u32(start + 4, d), try view.u32(start + 8, d))
            guard values == (crc, compressed, uncompressed) else {
                throw .malformed("\(d): CRC/sizes differ from the central directory's")
            }
            spanEnd = start + 12
        }
        let entry = ZipEntry(
            name: name, method: method, crc32: crc, compressedSize: compressed, uncompressedSize: uncompressed, dataRange: data)
        return (entry, end, localOffset..<spanEnd)
    }

    /// The fields a local header (§4.3.7) repeats from its central directory entry (§4.3.12),
    /// at the same offsets from `start`: the local header's start, or the central entry's
    /// plus 2. Flags, method, CRC-32, compressed and uncompressed size, name and extra length.
    static func repeatedFields(
        _ view: ByteView, at start: Int, _ what: String
    ) throws(KerasFileError) -> (Int, Int, UInt32, Int, Int, Int, Int) {
        (
            try view.u16(start + 6, what), try view.u16(start + 8, what), UInt32(try view.u32(start + 14, what)),
            try view.u32(start + 18, what), try view.u32(start + 22, what), try view.u16(start + 26, what),
            try view.u16(start + 28, what)
        )
    }

    /// A member name as UTF-8, refused when empty, absolute, with a `..` component, a
    /// backslash, a NUL or a drive letter (path traversal on extraction).
    static func memberName(_ bytes: ArraySlice<UInt8>, _ what: String) throws(KerasFileError) -> String {
        guard let name = String(validating: bytes, as: UTF8.self) else {
            throw .malformed("\(what): member name is not UTF-8")
        }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        if name.isEmpty || name.hasPrefix("/") || parts.contains("..") || name.contains("\\") || name.contains("\u{0}")
            || (parts.first?.contains(":") ?? false)
        {
            throw .malformed("\(what): member name \(name.debugDescription) is empty, absolute or leaves the archive")
        }
        return name
    }

    /// Walks an extra field (§4.5): records must tile it exactly; a zip64 record is refused.
    static func checkExtra(_ view: ByteView, _ range: Range<Int>, member: String) throws(KerasFileError) {
        var p = range.lowerBound
        while p < range.upperBound {
            guard range.upperBound - p >= 4 else { throw .malformed("extra field of zip member \(member) ends inside a record header") }
            let id = try view.u16(p, "extra field of \(member)")
            let size = try view.u16(p + 2, "extra field of \(member)")
            guard size <= range.upperBound - p - 4 else {
                throw .malformed("extra field record of zip member \(member) runs past the field")
            }
            if id == 0x0001 { throw .unsupported("zip member \(member) has a zip64 extra field") }
            p += 4 + size
        }
    }
}
