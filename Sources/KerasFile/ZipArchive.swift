/// A strict reader of a zip archive held in memory (PKWARE APPNOTE.TXT 6.3).
///
/// Opening reads the end of central directory record (EOCD, §4.3.16; searched for only in
/// the last 64 KiB + 22 bytes, the most a comment allows), the central directory (§4.3.12)
/// and each member's local file header (§4.3.7), which must agree with its central entry.
/// Refused: more than `maxMembers` members (413), duplicate names (Python's zipfile would
/// silently take the last), names that are not UTF-8 or that are absolute or contain `..`,
/// overlapping members, a central directory that does not end where the EOCD begins (400);
/// encryption, zip64, multiple disks, methods other than stored (0) and deflate (8) (422).
/// A data descriptor (flag bit 3, §4.3.9) is accepted only when it repeats the central
/// directory's CRC and sizes. Every offset and length is checked against the buffer.
public struct ZipArchive: Sendable {
    /// The members in central directory order.
    public let entries: [ZipEntry]
    let bytes: ByteView

    /// Opens the archive in `bytes` (not copied: stored members are returned as slices).
    /// - Throws: ``KerasFileError``: 400 malformed, 413 over `maxMembers`, 422 unsupported.
    public init(_ bytes: [UInt8], maxMembers: Int = 16) throws(KerasFileError) {
        try self.init(bytes[...], maxMembers: maxMembers)
    }

    /// Opens the archive in a slice of a larger buffer; offsets are relative to its start.
    public init(_ bytes: ArraySlice<UInt8>, maxMembers: Int = 16) throws(KerasFileError) {
        let view = ByteView(bytes)
        self.bytes = view
        let eocd = try Self.findEOCD(view)
        let disk = try view.u16(eocd + 4, "EOCD disk number")
        let cdDisk = try view.u16(eocd + 6, "EOCD central directory disk")
        let onDisk = try view.u16(eocd + 8, "EOCD entries on this disk")
        let total = try view.u16(eocd + 10, "EOCD entry count")
        let cdSize = try view.u32(eocd + 12, "EOCD central directory size")
        let cdOffset = try view.u32(eocd + 16, "EOCD central directory offset")
        if view.matches([0x50, 0x4B, 0x06, 0x07], at: eocd - 20) || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF
            || total == 0xFFFF
        {
            throw .unsupported("zip64 archive (EOCD at offset \(eocd)); expected a plain zip")
        }
        guard disk == 0, cdDisk == 0, onDisk == total else {
            throw .unsupported("multi-disk zip archive (EOCD at offset \(eocd))")
        }
        guard total <= maxMembers else { throw .overLimit(what: "zip member count (\(total) members)", limit: maxMembers) }
        guard cdOffset + cdSize == eocd else {
            throw .malformed(
                "zip central directory at offset \(cdOffset) of \(cdSize) bytes does not end where the EOCD begins (offset \(eocd))")
        }
        var entries: [ZipEntry] = []
        var names: Set<String> = []
        var spans: [Range<Int>] = []
        var p = cdOffset
        for index in 0..<total {
            let (entry, next, span) = try Self.centralEntry(view, at: p, index: index, cdEnd: eocd)
            guard names.insert(entry.name).inserted else {
                throw .malformed("zip member \(entry.name) appears twice in the central directory")
            }
            guard span.upperBound <= cdOffset else {
                throw .malformed("zip member \(entry.name) runs into the central directory (offset \(cdOffset))")
            }
            entries.append(entry)
            spans.append(span)
            p = next
        }
        guard p == eocd else {
            throw .malformed("zip central directory holds \(eocd - p) bytes after its \(total) entries")
        }
        spans.sort { $0.lowerBound < $1.lowerBound }
        for (a, b) in zip(spans, spans.dropFirst()) where a.upperBound > b.lowerBound {
            throw .malformed("zip members overlap at offsets \(a.lowerBound) and \(b.lowerBound)")
        }
        self.entries = entries
    }

    /// The member called `name`, if any.
    public func entry(named name: String) -> ZipEntry? { entries.first { $0.name == name } }

    /// The EOCD's offset: the last `PK\5\6` whose comment length reaches exactly the end.
    static func findEOCD(_ view: ByteView) throws(KerasFileError) -> Int {
        guard view.count >= 22 else {
            throw .malformed("\(view.count) bytes: shorter than a zip end of central directory record (22 bytes)")
        }
        var p = view.count - 22
        let lowest = max(0, view.count - 22 - 0xFFFF)
        let storage = view.storage
        let start = storage.startIndex
        while p >= lowest {
            // Byte by byte: this loop may run 65,535 times on a hostile tail.
            if storage[start + p] == 0x50, storage[start + p + 1] == 0x4B, storage[start + p + 2] == 0x05, storage[start + p + 3] == 0x06,
                try view.u16(p + 20, "EOCD comment length") == view.count - p - 22
            {
                return p
            }
            p -= 1
        }
        throw .malformed("no zip end of central directory record in the last \(view.count - lowest) bytes")
    }
}
