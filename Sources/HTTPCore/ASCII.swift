// Byte classes of RFC 9110 / RFC 9112 used by the parser and the serializer.

@usableFromInline let asciiCR: UInt8 = 13
@usableFromInline let asciiLF: UInt8 = 10
@usableFromInline let asciiSP: UInt8 = 32
@usableFromInline let asciiHT: UInt8 = 9

/// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
///         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
@inline(__always)
func isTokenByte(_ b: UInt8) -> Bool {
    switch Unicode.Scalar(b) {
    case "a"..."z", "A"..."Z", "0"..."9", "!", "#", "$", "%", "&", "'", "*", "+", "-", ".", "^", "_", "`", "|", "~": true
    default: false
    }
}

/// field-vchar / SP / HTAB, with obs-text (0x80–0xFF) allowed.
@inline(__always)
func isFieldValueByte(_ b: UInt8) -> Bool {
    b == asciiHT || (b >= 0x20 && b != 0x7F)
}

@inline(__always)
func isHexDigit(_ b: UInt8) -> Bool {
    hexValue(b) != nil
}

@inline(__always)
func hexValue(_ b: UInt8) -> Int? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(b &- UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(b &- UInt8(ascii: "a") &+ 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(b &- UInt8(ascii: "A") &+ 10)
    default: return nil
    }
}

/// Bytes allowed in a request target besides `%HH`: RFC 3986 unreserved,
/// sub-delims, ":", "@", "/", "?". Everything else (controls, space, `"`, `<`,
/// `>`, `\`, `^`, backtick, `{`, `|`, `}`, `#`, DEL, non-ASCII) is rejected.
@inline(__always)
func isTargetByte(_ b: UInt8) -> Bool {
    switch Unicode.Scalar(b) {
    case "a"..."z", "A"..."Z", "0"..."9", "-", ".", "_", "~", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", ":", "@",
        "/", "?":
        true
    default: false
    }
}

@inline(__always)
func asciiLower(_ b: UInt8) -> UInt8 {
    (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) ? b | 0x20 : b
}

/// ASCII case-insensitive equality; `lowercased` must already be lower case.
@inline(__always)
public func equalsIgnoringASCIICase(_ s: String, _ lowercased: String) -> Bool {
    var a = s
    var b = lowercased
    return a.withUTF8 { ab in
        b.withUTF8 { bb in
            guard ab.count == bb.count else { return false }
            for i in 0..<ab.count where asciiLower(ab[i]) != bb[i] { return false }
            return true
        }
    }
}

/// ASCII case-insensitive equality of two arbitrary strings.
@inline(__always)
func equalsIgnoringASCIICaseBoth(_ s: String, _ t: String) -> Bool {
    var a = s
    var b = t
    return a.withUTF8 { ab in
        b.withUTF8 { bb in
            guard ab.count == bb.count else { return false }
            for i in 0..<ab.count where asciiLower(ab[i]) != asciiLower(bb[i]) { return false }
            return true
        }
    }
}

/// Splits a list-valued field (`a, b ,c`) into trimmed, lower-cased, non-empty elements.
func lowercasedListElements(_ value: String) -> [String] {
    var out: [String] = []
    var current: [UInt8] = []
    func flush() {
        var s = current[...]
        while let f = s.first, f == asciiSP || f == asciiHT { s = s.dropFirst() }
        while let l = s.last, l == asciiSP || l == asciiHT { s = s.dropLast() }
        if !s.isEmpty { out.append(String(decoding: s, as: UTF8.self)) }
        current.removeAll(keepingCapacity: true)
    }
    for b in value.utf8 {
        if b == UInt8(ascii: ",") { flush() } else { current.append(asciiLower(b)) }
    }
    flush()
    return out
}
