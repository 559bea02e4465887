/// Standard base64 (RFC 4648 §4: `A–Z a–z 0–9 + /`, `=` padding) for the
/// `{"shape", "dtype", "b64"}` tensor form.
///
/// Decoding is strict: the length must be a multiple of 4, only the alphabet
/// may appear (no whitespace, no URL-safe `-` `_`), `=` only as the last one
/// or two characters, and the unused bits before the padding must be zero (so
/// every byte string has exactly one accepted encoding).
public enum Base64 {
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// 0...63 for alphabet bytes, 0xFF otherwise.
    private static let decodeTable: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        let a = alphabet.utf8Start
        for i in 0..<64 { t[Int(a[i])] = UInt8(i) }
        return t
    }()

    /// Length of the encoding of `byteCount` bytes: `4 * ceil(byteCount / 3)`.
    public static func encodedCount(of byteCount: Int) -> Int { (byteCount + 2) / 3 * 4 }

    /// Encodes `data` as padded base64 text.
    public static func encode(_ data: UnsafeRawBufferPointer) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(encodedCount(of: data.count))
        append(data, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Encodes `data` as padded base64 text.
    public static func encode(_ data: [UInt8]) -> String {
        data.withUnsafeBytes { encode($0) }
    }

    /// Appends the padded base64 of `data` to `out` as ASCII bytes.
    public static func append(_ data: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let n = data.count
        guard n > 0, let src = data.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let total = encodedCount(of: n)
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: total))
        let a = alphabet.utf8Start
        out.withUnsafeMutableBufferPointer { buf in
            var q = buf.baseAddress! + start
            var i = 0
            while i + 3 <= n {
                let v = UInt32(src[i]) << 16 | UInt32(src[i + 1]) << 8 | UInt32(src[i + 2])
                q[0] = a[Int(v >> 18)]
                q[1] = a[Int((v >> 12) & 63)]
                q[2] = a[Int((v >> 6) & 63)]
                q[3] = a[Int(v & 63)]
                q += 4
                i += 3
            }
            let rest = n - i
            if rest == 1 {
                let v = UInt32(src[i]) << 16
                q[0] = a[Int(v >> 18)]
                q[1] = a[Int((v >> 12) & 63)]
                q[2] = UInt8(ascii: "=")
                q[3] = UInt8(ascii: "=")
            } else if rest == 2 {
                let v = UInt32(src[i]) << 16 | UInt32(src[i + 1]) << 8
                q[0] = a[Int(v >> 18)]
                q[1] = a[Int((v >> 12) & 63)]
                q[2] = a[Int((v >> 6) & 63)]
                q[3] = UInt8(ascii: "=")
            }
        }
    }

    /// Number of bytes a valid encoding of `text` decodes to, from its length and padding.
    public static func decodedCount(_ text: UnsafeRawBufferPointer) -> Int {
        let n = text.count
        guard n >= 4 else { return 0 }
        var pad = 0
        if text[n - 1] == UInt8(ascii: "=") { pad += 1 }
        if text[n - 2] == UInt8(ascii: "=") { pad += 1 }
        return n / 4 * 3 - pad
    }

    /// Decodes strict padded base64.
    /// - Throws: `JSONError.invalidBase64` with the offset of the first bad
    ///   character (or the length, when it is not a multiple of 4).
    public static func decode(_ text: UnsafeRawBufferPointer) throws(JSONError) -> [UInt8] {
        let n = text.count
        if n == 0 { return [] }
        guard n % 4 == 0 else {
            throw .invalidBase64(offset: n, message: "base64 length \(n) is not a multiple of 4")
        }
        let src = text.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var pad = 0
        if src[n - 1] == UInt8(ascii: "=") { pad = src[n - 2] == UInt8(ascii: "=") ? 2 : 1 }
        let outCount = n / 4 * 3 - pad
        var failure: JSONError?
        let result = decodeTable.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: outCount) { out, initialized in
                // Full groups (all but the last).
                var i = 0
                var o = 0
                let fullEnd = n - 4
                while i < fullEnd {
                    let a = table[Int(src[i])]
                    let b = table[Int(src[i + 1])]
                    let c = table[Int(src[i + 2])]
                    let d = table[Int(src[i + 3])]
                    if (a | b | c | d) & 0xC0 != 0 {
                        failure = badCharacter(src, from: i, count: 4)
                        initialized = 0
                        return
                    }
                    let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    out[o] = UInt8(truncatingIfNeeded: v >> 16)
                    out[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                    out[o + 2] = UInt8(truncatingIfNeeded: v)
                    i += 4
                    o += 3
                }
                // Last group, with padding.
                let a = table[Int(src[i])]
                let b = table[Int(src[i + 1])]
                let c = pad == 2 ? 0 : table[Int(src[i + 2])]
                let d = pad >= 1 ? 0 : table[Int(src[i + 3])]
                if (a | b | c | d) & 0xC0 != 0 {
                    failure = badCharacter(src, from: i, count: 4 - pad)
                    initialized = 0
                    return
                }
                if (pad == 2 && b & 0x0F != 0) || (pad == 1 && c & 0x03 != 0) {
                    failure = .invalidBase64(
                        offset: n - pad - 1, message: "non-canonical base64: nonzero bits before the '=' padding")
                    initialized = 0
                    return
                }
                let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                out[o] = UInt8(truncatingIfNeeded: v >> 16)
                if pad < 2 { out[o + 1] = UInt8(truncatingIfNeeded: v >> 8) }
                if pad < 1 { out[o + 2] = UInt8(truncatingIfNeeded: v) }
                initialized = outCount
            }
        }
        if let failure { throw failure }
        return result
    }

    /// Decodes strict padded base64 from the UTF-8 of a string.
    /// - Throws: `JSONError.invalidBase64`; see `decode(_: UnsafeRawBufferPointer)`.
    public static func decode(_ text: String) throws(JSONError) -> [UInt8] {
        var text = text
        return try text.withUTF8 { u in
            Result { () throws(JSONError) -> [UInt8] in try decode(UnsafeRawBufferPointer(u)) }
        }.get()
    }

    private static func badCharacter(_ src: UnsafePointer<UInt8>, from i: Int, count: Int) -> JSONError {
        for j in i..<(i + count) where decodeTable[Int(src[j])] == 0xFF {
            let what = src[j] == UInt8(ascii: "=") ? "padding '=' before the end" : "character \(describeByte(src[j]))"
            return .invalidBase64(offset: j, message: "invalid base64: \(what)")
        }
        return .invalidBase64(offset: i, message: "invalid base64")
    }
}
