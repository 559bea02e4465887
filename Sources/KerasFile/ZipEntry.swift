/// One member of a zip archive: its central directory entry (APPNOTE.TXT 6.3 §4.3.12),
/// already checked against its local file header (§4.3.7).
public struct ZipEntry: Sendable, Equatable {
    /// Compression methods this reader takes (§4.4.5); any other is unsupported.
    public enum Method: UInt16, Sendable {
        case stored = 0
        case deflated = 8
    }

    /// The member's name: UTF-8, relative, without `..` components or backslashes.
    public let name: String
    public let method: Method
    /// CRC-32 of the uncompressed data (§4.4.7), checked when the member is read.
    public let crc32: UInt32
    public let compressedSize: Int
    public let uncompressedSize: Int
    /// Where the member's (compressed) bytes lie, as offsets from the archive's first byte.
    public let dataRange: Range<Int>
}
