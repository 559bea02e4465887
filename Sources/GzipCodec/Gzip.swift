import CZlib

/// gzip (RFC 1952) through zlib: HTTP bodies (`Content-Encoding: gzip`) and gRPC messages
/// (`grpc-encoding: gzip`).
public enum Gzip {
    /// Why a gzip stream did not inflate.
    public enum InflateFailure: Error, Sendable { case tooLarge, invalid, overBudget }

    /// Inflates one or more concatenated gzip members. Stops and fails with
    /// `.tooLarge` as soon as the output would pass `limit` bytes (zip bombs
    /// never allocate more than `limit + 1` bytes). Every allocation of output is first
    /// offered to `reserve` (its size in bytes); a refusal stops with `.overBudget`.
    public static func inflate(
        _ input: [UInt8], limit: Int, reserve: (Int) -> Bool = { _ in true }
    ) -> Result<[UInt8], InflateFailure> {
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return .failure(.invalid)
        }
        defer { inflateEnd(&stream) }
        let initial = max(1, min(limit + 1, max(input.count * 4, 16384)))
        guard reserve(initial) else { return .failure(.overBudget) }
        var output = [UInt8](repeating: 0, count: initial)
        var produced = 0
        return input.withUnsafeBufferPointer { inBuf -> Result<[UInt8], InflateFailure> in
            guard let base = inBuf.baseAddress else { return .failure(.invalid) }
            stream.next_in = UnsafeMutablePointer(mutating: base)
            stream.avail_in = uInt(inBuf.count)
            while true {
                if produced == output.count {
                    if output.count > limit { return .failure(.tooLarge) }
                    let grow = min(output.count, limit + 1 - output.count)
                    guard reserve(grow) else { return .failure(.overBudget) }
                    // One zero-filled block (a memset even in debug and sanitizer builds, where
                    // appending a repeated element goes element by element).
                    output += [UInt8](repeating: 0, count: grow)
                }
                let rc = output.withUnsafeMutableBufferPointer { outBuf -> Int32 in
                    stream.next_out = outBuf.baseAddress! + produced
                    stream.avail_out = uInt(outBuf.count - produced)
                    let rc = CZlib.inflate(&stream, Z_NO_FLUSH)
                    produced = outBuf.count - Int(stream.avail_out)
                    return rc
                }
                if produced > limit { return .failure(.tooLarge) }
                switch rc {
                case Z_STREAM_END:
                    if stream.avail_in == 0 {
                        output.removeSubrange(produced...)
                        return .success(output)
                    }
                    guard inflateReset(&stream) == Z_OK else { return .failure(.invalid) }
                case Z_OK, Z_BUF_ERROR:
                    // Input exhausted while output space remains: truncated stream.
                    if stream.avail_in == 0 && stream.avail_out > 0 { return .failure(.invalid) }
                default:
                    return .failure(.invalid)
                }
            }
        }
    }

    /// One gzip member of `input` at zlib `level` (1…9), or nil if zlib fails.
    public static func deflate(_ input: [UInt8], level: Int) -> [UInt8]? {
        var stream = z_stream()
        let lvl = Int32(min(max(level, 1), 9))
        guard
            deflateInit2_(
                &stream, lvl, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { return nil }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count))) + 64
        var ok = false
        let out = [UInt8](unsafeUninitializedCapacity: bound) { outBuf, count in
            input.withUnsafeBufferPointer { inBuf in
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(bound)
                ok = CZlib.deflate(&stream, Z_FINISH) == Z_STREAM_END
                count = ok ? bound - Int(stream.avail_out) : 0
            }
        }
        return ok ? out : nil
    }
}
