import GzipCodec

/// Entry points of the libFuzzer targets (`dense-fuzz`, see `Fuzz/README.md`) and of the
/// corpus replay tests. Not part of the server API: import with `@_spi(Fuzzing)`.
@_spi(Fuzzing) public enum HTTPServerFuzzing {
    /// gzip request-body inflation on arbitrary bytes. The first byte picks a small limit
    /// (0…4095 bytes with the second byte); the rest is the body. Traps when an invariant
    /// breaks: a success longer than the limit, an answer that depends on the limit other than
    /// through the size (the same input inflated with a 64 KiB limit must give the same bytes,
    /// or `tooLarge` only because of the size), or a success that does not survive
    /// deflate → inflate.
    public static func gzipInflate(_ data: [UInt8]) {
        guard data.count >= 2 else { return }
        let limit = (Int(data[0]) | Int(data[1]) << 8) % 4096
        let body = Array(data.dropFirst(2))
        let small = Gzip.inflate(body, limit: limit)
        let large = Gzip.inflate(body, limit: 1 << 16)
        switch (small, large) {
        case (.success(let a), .success(let b)):
            precondition(a.count <= limit && a == b, "inflate depends on the limit")
            let again = Gzip.deflate(a, level: Int(data[0] % 9) + 1).map { Gzip.inflate($0, limit: limit) }
            guard case .success(let c)? = again, c == a else { preconditionFailure("deflate → inflate round trip") }
        case (.failure(.tooLarge), .success(let b)):
            precondition(b.count > limit, "tooLarge under the limit")
        case (.failure(.tooLarge), .failure):
            break  // past 64 KiB too, or invalid after the first `limit` bytes
        case (.failure(.invalid), .failure(.invalid)):
            break
        default:
            preconditionFailure("inflate(limit: \(limit)) = \(small), inflate(limit: 64 KiB) = \(large)")
        }
    }
}
