import CZlib

extension ZipArchive {
    /// The uncompressed bytes of `entry`, at most `cap` of them.
    ///
    /// A stored member is a slice of the archive's buffer (no copy). A deflated one is
    /// inflated with zlib's raw inflate (RFC 1951, `inflateInit2_` with window bits −15)
    /// into memory that grows only as output appears; inflation stops as soon as the output
    /// passes the declared size (400) or `cap` (413). Either way the size and CRC-32 must
    /// equal the central directory's.
    /// - Throws: ``KerasFileError/overLimit(what:limit:)`` when the member declares or
    ///   inflates to more than `cap` bytes; ``KerasFileError/malformed(_:)`` when the
    ///   deflate stream is corrupt, truncated, followed by garbage, or the size or CRC differ.
    public func contents(of entry: ZipEntry, cap: Int) throws(KerasFileError) -> ArraySlice<UInt8> {
        guard entry.uncompressedSize <= cap else {
            throw .overLimit(what: "zip member \(entry.name) (\(entry.uncompressedSize) bytes uncompressed)", limit: cap)
        }
        let data = bytes.slice(entry.dataRange)
        let output: ArraySlice<UInt8>
        switch entry.method {
        case .stored: output = data
        case .deflated: output = try Self.inflateRaw(data, declared: entry.uncompressedSize, cap: cap, member: entry.name)[...]
        }
        let crc = Self.crc32(output)
        guard crc == entry.crc32 else {
            throw .malformed("zip member \(entry.name): CRC-32 \(crc) differs from the central directory's \(entry.crc32)")
        }
        return output
    }

    /// The uncompressed bytes of the member called `name` (see ``contents(of:cap:)``).
    /// - Throws: ``KerasFileError/malformed(_:)`` when there is no such member.
    public func contents(named name: String, cap: Int) throws(KerasFileError) -> ArraySlice<UInt8> {
        guard let entry = entry(named: name) else { throw .malformed("zip archive has no member \(name)") }
        return try contents(of: entry, cap: cap)
    }

    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            var crc = CZlib.crc32(0, nil, 0)
            var p = buffer.baseAddress
            var left = buffer.count
            while left > 0, let base = p {
                let n = min(left, 1 << 30)
                crc = CZlib.crc32(crc, base, uInt(n))
                p = base + n
                left -= n
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }

    /// Raw inflate of `input`, which must produce exactly `declared` (≤ `cap`) bytes and
    /// end exactly at the end of `input`.
    static func inflateRaw(_ input: ArraySlice<UInt8>, declared: Int, cap: Int, member: String) throws(KerasFileError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .malformed("zip member \(member): zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        let limit = min(declared, cap)
        let pastLimit: Int32 = -1000  // not a zlib code: the output passed `limit`
        // Grows as output appears, so a lying declared size costs nothing up front.
        var output = [UInt8](repeating: 0, count: min(limit + 1, max(65536, input.count * 4)))
        var produced = 0
        let result: Int32 = input.withUnsafeBufferPointer { inBuf in
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            stream.avail_in = uInt(inBuf.count)
            while true {
                if produced == output.count {
                    if output.count > limit { return pastLimit }
                    output += [UInt8](repeating: 0, count: min(output.count, limit + 1 - output.count))
                }
                let rc = output.withUnsafeMutableBufferPointer { outBuf -> Int32 in
                    stream.next_out = outBuf.baseAddress! + produced
                    stream.avail_out = uInt(outBuf.count - produced)
                    let rc = CZlib.inflate(&stream, Z_NO_FLUSH)
                    produced = outBuf.count - Int(stream.avail_out)
                    return rc
                }
                if produced > limit { return pastLimit }
                switch rc {
                case Z_STREAM_END: return rc
                case Z_OK, Z_BUF_ERROR:
                    if stream.avail_in == 0 && stream.avail_out > 0 { return Z_BUF_ERROR }
                default: return rc
                }
            }
        }
        if produced > limit {
            if produced > cap { throw .overLimit(what: "zip member \(member) (inflating)", limit: cap) }
            throw .malformed("zip member \(member) inflates past its declared \(declared) bytes")
        }
        guard result == Z_STREAM_END else {
            throw .malformed("zip member \(member): deflate stream is corrupt or truncated (zlib \(result)) after \(produced) bytes")
        }
        guard stream.avail_in == 0 else { throw .malformed("zip member \(member): \(stream.avail_in) bytes after the deflate stream") }
        guard produced == declared else {
            throw .malformed("zip member \(member) inflates to \(produced) bytes; the central directory declares \(declared)")
        }
        output.removeSubrange(produced...)
        return output
    }
}
