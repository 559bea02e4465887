/// One gRPC length-prefixed message (grpc/grpc doc/PROTOCOL-HTTP2.md): a flag byte (0, or 1
/// for a message compressed with the call's `grpc-encoding`), a 4-byte big-endian length,
/// then that many bytes. Framing is independent of HTTP/2 DATA frames.
public struct GRPCMessageFrame: Sendable, Equatable {
    /// Bytes of the prefix in front of every message.
    public static let prefixLength = 5

    /// The flag byte was 1: `message` is compressed with the call's `grpc-encoding`.
    public var compressed: Bool
    /// The message bytes: a slice of the body the frame was parsed from (no copy).
    public var message: ArraySlice<UInt8>

    /// A frame of `message`.
    public init(compressed: Bool, message: ArraySlice<UInt8>) {
        self.compressed = compressed
        self.message = message
    }

    /// The prefix at the start of `bytes`: the flag and the declared length; nil while fewer
    /// than 5 bytes have arrived. A streaming reader checks `length` against its maximum
    /// before buffering the message.
    /// - Throws: ``GRPCCoreError/malformed(path:expected:)`` for a flag other than 0 or 1.
    public static func parsePrefix(_ bytes: ArraySlice<UInt8>) throws(GRPCCoreError) -> (compressed: Bool, length: Int)? {
        guard bytes.count >= prefixLength else { return nil }
        let start = bytes.startIndex
        let flag = bytes[start]
        guard flag <= 1 else {
            throw .malformed(path: "gRPC message prefix", expected: "a compressed-flag byte of 0 or 1, got \(flag)")
        }
        var length = 0
        for index in start + 1..<start + prefixLength { length = length << 8 | Int(bytes[index]) }
        return (flag == 1, length)
    }

    /// The one message of a unary call's complete request body.
    /// - Parameter maxMessageBytes: the largest message accepted (its declared length; checked
    ///   before anything else past the flag, so a body cut short by the caller's own body
    ///   limit still yields this error).
    /// - Throws: ``GRPCCoreError/messageTooLarge(length:limit:)`` for a declared length over
    ///   `maxMessageBytes` (RESOURCE_EXHAUSTED); ``GRPCCoreError/malformed(path:expected:)``
    ///   for an empty or truncated body, a flag other than 0 or 1, or bytes after the message
    ///   (a second message).
    public static func parseUnary(_ body: ArraySlice<UInt8>, maxMessageBytes: Int) throws(GRPCCoreError) -> GRPCMessageFrame {
        guard let (compressed, length) = try parsePrefix(body) else {
            throw .malformed(
                path: "gRPC message prefix", expected: "a 5-byte message prefix, got \(body.count) byte\(body.count == 1 ? "" : "s")")
        }
        guard length <= maxMessageBytes else { throw .messageTooLarge(length: length, limit: maxMessageBytes) }
        let available = body.count - prefixLength
        guard length <= available else {
            throw .malformed(path: "gRPC message", expected: "\(length) bytes as the prefix declares, got \(available)")
        }
        guard length == available else {
            throw .malformed(
                path: "gRPC message", expected: "exactly one message in a unary request, got \(available - length) bytes after it")
        }
        let start = body.startIndex + prefixLength
        return GRPCMessageFrame(compressed: compressed, message: body[start..<start + length])
    }

    /// The same parse of a whole array.
    public static func parseUnary(_ body: [UInt8], maxMessageBytes: Int) throws(GRPCCoreError) -> GRPCMessageFrame {
        try parseUnary(body[...], maxMessageBytes: maxMessageBytes)
    }

    /// Appends the 5-byte prefix of a `length`-byte message to `bytes`.
    /// - Precondition: `0 <= length <= UInt32.max` (a message we send is never larger).
    public static func appendPrefix(compressed: Bool, length: Int, to bytes: inout [UInt8]) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: prefixLength))
        writePrefix(compressed: compressed, length: length, into: &bytes, at: start)
    }

    /// Writes the prefix of a `length`-byte message over the 5 bytes of `bytes` at `offset`,
    /// reserved there before the message was appended (so it is framed without a copy).
    /// - Precondition: the 5 bytes exist, and `0 <= length <= UInt32.max`.
    public static func writePrefix(compressed: Bool, length: Int, into bytes: inout [UInt8], at offset: Int) {
        precondition(length >= 0 && UInt64(length) <= UInt64(UInt32.max), "a gRPC message is at most 4 GiB")
        precondition(offset >= 0 && offset + prefixLength <= bytes.count, "the prefix bytes must be reserved")
        bytes[offset] = compressed ? 1 : 0
        for shift in 0..<4 { bytes[offset + 1 + shift] = UInt8(truncatingIfNeeded: length >> (24 - 8 * shift)) }
    }

    /// `message` with its prefix in front (a copy; ``ProtoMessage/encodeFramed()`` avoids it).
    public static func framed(_ message: some Collection<UInt8>, compressed: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(prefixLength + message.count)
        appendPrefix(compressed: compressed, length: message.count, to: &bytes)
        bytes.append(contentsOf: message)
        return bytes
    }
}
