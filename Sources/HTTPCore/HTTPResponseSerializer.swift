/// Writes responses as HTTP/1.1 bytes.
///
/// Output: `HTTP/1.1 <code> <reason>` CRLF; the response's fields in order;
/// whatever `extraFields` appends (the server adds `Connection`, `Date`,
/// `Server`); `Content-Length: <body.count>` (omitted for 1xx and 204); a blank
/// line; then the body, unless `omitBody` (HEAD) or the status forbids a body
/// (1xx, 204, 304). The serializer owns framing: `Content-Length`,
/// `Transfer-Encoding` and `Connection` fields of the response are dropped, and
/// so is any field whose name is not a token or whose value holds CR, LF or NUL
/// (no response splitting).
public enum HTTPResponseSerializer {
    /// Appends `response` to `out`.
    public static func serialize(
        _ response: HTTPResponse, omitBody: Bool = false, into out: inout [UInt8],
        extraFields: (inout [UInt8]) -> Void = { _ in }
    ) {
        appendStatusLine(response.status, into: &out)
        for field in response.headers.fields {
            let n = field.name.utf8.count
            if n == 14 && equalsIgnoringASCIICase(field.name, "content-length") { continue }
            if n == 17 && equalsIgnoringASCIICase(field.name, "transfer-encoding") { continue }
            if n == 10 && equalsIgnoringASCIICase(field.name, "connection") { continue }
            guard isValidFieldName(field.name), isValidFieldValue(field.value) else { continue }
            appendField(name: field.name, value: field.value, into: &out)
        }
        extraFields(&out)
        if !HTTPStatus.forbidsContentLength(response.status) {
            out.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(response.body.count, into: &out)
            out.append(asciiCR)
            out.append(asciiLF)
        }
        out.append(asciiCR)
        out.append(asciiLF)
        if !omitBody && !HTTPStatus.forbidsBody(response.status) {
            out.append(contentsOf: response.body)
        }
    }

    /// `response` as bytes.
    public static func serialize(_ response: HTTPResponse, omitBody: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + response.body.count)
        serialize(response, omitBody: omitBody, into: &out)
        return out
    }

    /// `HTTP/1.1 <code> <reason>\r\n`.
    public static func appendStatusLine(_ status: Int, into out: inout [UInt8]) {
        if status == 200 {
            out.append(contentsOf: "HTTP/1.1 200 OK\r\n".utf8)
            return
        }
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(min(max(status, 100), 999), into: &out)
        out.append(asciiSP)
        out.append(contentsOf: HTTPStatus.reasonPhrase(status).utf8)
        out.append(asciiCR)
        out.append(asciiLF)
    }

    /// `name: value\r\n` (no validation; see ``isValidFieldName(_:)``).
    @inline(__always)
    public static func appendField(name: String, value: String, into out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.append(UInt8(ascii: ":"))
        out.append(asciiSP)
        out.append(contentsOf: value.utf8)
        out.append(asciiCR)
        out.append(asciiLF)
    }

    /// Decimal digits of a non-negative `n`.
    @inline(__always)
    public static func appendDecimal(_ n: Int, into out: inout [UInt8]) {
        if n < 10 {
            out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: max(n, 0)))
            return
        }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var v = n
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while v > 0 {
                d[19 - count] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v % 10)
                v /= 10
                count += 1
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[(20 - count)...]))
        }
    }

    /// Whether `name` is a non-empty token.
    public static func isValidFieldName(_ name: String) -> Bool {
        guard !name.isEmpty else { return false }
        for b in name.utf8 where !isTokenByte(b) { return false }
        return true
    }

    /// Whether `value` holds no CR, LF, NUL or other control byte except HTAB.
    public static func isValidFieldValue(_ value: String) -> Bool {
        for b in value.utf8 where !isFieldValueByte(b) { return false }
        return true
    }
}
