/// A chunked body's size line: `chunk-size [ chunk-ext ]`, where
/// `chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ( token / quoted-string ) ] )`
/// (RFC 9112 §7.1). Extensions are checked and ignored.
enum ChunkSizeLine {
    /// The size of the line `p[s..<e]` (without its CRLF), or the error that rejects it.
    static func parse(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Result<Int, HTTPParseError> {
        var i = s
        var size = 0
        while i < e, let h = hexValue(p[i]) {
            if size > (Int.max >> 4) { return .failure(.invalidChunkSize) }
            size = size << 4 | h
            i += 1
        }
        guard i > s else { return .failure(.invalidChunkSize) }
        if i == e { return .success(size) }
        func skipBWS() { while i < e && (p[i] == asciiSP || p[i] == asciiHT) { i += 1 } }
        // Right after the digits only BWS or ";" may follow ("5x", "0x5" are bad sizes).
        if p[i] != asciiSP && p[i] != asciiHT && p[i] != UInt8(ascii: ";") { return .failure(.invalidChunkSize) }
        while i < e {
            skipBWS()
            guard i < e, p[i] == UInt8(ascii: ";") else { return .failure(.invalidChunkExtension) }
            i += 1
            skipBWS()
            let nameStart = i
            while i < e && isTokenByte(p[i]) { i += 1 }
            guard i > nameStart else { return .failure(.invalidChunkExtension) }
            skipBWS()
            if i < e && p[i] == UInt8(ascii: "=") {
                i += 1
                skipBWS()
                guard i < e else { return .failure(.invalidChunkExtension) }
                if p[i] == UInt8(ascii: "\"") {
                    i += 1
                    var closed = false
                    while i < e {
                        let b = p[i]
                        if b == UInt8(ascii: "\"") { closed = true; i += 1; break }
                        if b == UInt8(ascii: "\\") {
                            guard i + 1 < e, isFieldValueByte(p[i + 1]) else { return .failure(.invalidChunkExtension) }
                            i += 2
                            continue
                        }
                        guard isFieldValueByte(b) else { return .failure(.invalidChunkExtension) }
                        i += 1
                    }
                    guard closed else { return .failure(.invalidChunkExtension) }
                } else {
                    let valueStart = i
                    while i < e && isTokenByte(p[i]) { i += 1 }
                    guard i > valueStart else { return .failure(.invalidChunkExtension) }
                }
            }
        }
        return .success(size)
    }
}
