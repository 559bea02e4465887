import Testing

@testable import HTTPCore

/// Small limits so limit cases stay short enough to split at every offset.
let smallLimits = HTTPLimits(
    maxRequestLineBytes: 64, maxHeaderBytes: 128, maxHeaderCount: 4, maxBodyBytes: 32,
    maxChunkedBodyBytes: 32, maxChunkLineBytes: 32)

/// What a request must look like.
struct Expected: Equatable, CustomStringConvertible {
    var method: String
    var target: String
    var version: HTTPVersion = .http1_1
    var body: String = ""
    var keepAlive = true
    var headers: [String: String] = [:]  // a subset to check (first value)
    var trailers: [String: String] = [:]
    var path: String? = nil

    var description: String { "\(method) \(target) \(version) keepAlive=\(keepAlive) body=\(body.debugDescription)" }

    func matches(_ r: HTTPRequest) -> Bool {
        guard r.method == method, r.target == target, r.version == version,
            r.body == Array(body.utf8), r.keepAlive == keepAlive
        else { return false }
        for (k, v) in headers where r.headers[k] != v { return false }
        for (k, v) in trailers where r.trailers[k] != v { return false }
        if let path, r.path != path { return false }
        return true
    }
}

struct ParserCase: CustomTestStringConvertible, Sendable {
    var name: String
    var input: String
    var limits: HTTPLimits = .default
    /// Requests expected before the end (or before the error).
    var requests: [Expected]
    /// Expected error (status, code), if any.
    var error: (Int, String)? = nil

    var testDescription: String { name }
}

extension Expected: Sendable {}

struct ParseOutcome: Equatable {
    var requests: [HTTPRequest]
    var error: HTTPParseError?
    var continues: Int
}

/// Feeds `chunks` in order, draining events after each.
func parse(_ chunks: [ArraySlice<UInt8>], limits: HTTPLimits) -> ParseOutcome {
    var parser = HTTPRequestParser(limits: limits)
    var out = ParseOutcome(requests: [], error: nil, continues: 0)
    for chunk in chunks {
        parser.feed(chunk)
        var guardCount = 0
        while guardCount < 10_000 {
            guardCount += 1
            do {
                guard let event = try parser.next() else { break }
                switch event {
                case .request(let r): out.requests.append(r)
                case .expectContinue: out.continues += 1
                }
            } catch {
                out.error = error
                return out
            }
        }
    }
    return out
}

let crlf = "\r\n"

let validCases: [ParserCase] = [
    ParserCase(
        name: "simple GET", input: "GET /v2/health/live HTTP/1.1\r\nHost: a\r\n\r\n",
        requests: [Expected(method: "GET", target: "/v2/health/live", headers: ["host": "a"], path: "/v2/health/live")]),
    ParserCase(
        name: "query and repeated headers",
        input: "GET /p/q?x=1&y=%20 HTTP/1.1\r\nHost: h\r\nAccept: a\r\naccept: b\r\nX-Empty:\r\nX-Pad: \t v  w \t\r\n\r\n",
        requests: [
            Expected(method: "GET", target: "/p/q?x=1&y=%20", headers: ["ACCEPT": "a", "x-empty": "", "x-pad": "v  w"], path: "/p/q")
        ]),
    ParserCase(
        name: "POST with Content-Length",
        input: "POST /v2/models/m/infer HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world",
        requests: [Expected(method: "POST", target: "/v2/models/m/infer", body: "hello world")]),
    ParserCase(
        name: "pipelined three",
        input:
            "GET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyzGET /c HTTP/1.1\r\nHost: h\r\n\r\n",
        requests: [
            Expected(method: "GET", target: "/a"), Expected(method: "POST", target: "/b", body: "xyz"),
            Expected(method: "GET", target: "/c"),
        ]),
    ParserCase(
        name: "chunked with extensions and trailers",
        input:
            "POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b;c\r\nhello\r\n6 ; q=\"x;y\\\"z\"\r\n world\r\n0\r\nX-Checksum: 42\r\nX-Other: o\r\n\r\n",
        requests: [Expected(method: "POST", target: "/u", body: "hello world", trailers: ["x-checksum": "42", "X-OTHER": "o"])]),
    ParserCase(
        name: "chunked hex sizes and leading zeros",
        input:
            "POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n000A\r\n0123456789\r\na\r\nabcdefghij\r\n00\r\n\r\nGET /n HTTP/1.1\r\nHost: h\r\n\r\n",
        requests: [Expected(method: "POST", target: "/u", body: "0123456789abcdefghij"), Expected(method: "GET", target: "/n")]),
    ParserCase(
        name: "HTTP/1.0 closes; later bytes ignored",
        input: "GET /old HTTP/1.0\r\n\r\nGARBAGE \u{1}\r\n\r\n",
        requests: [Expected(method: "GET", target: "/old", version: .http1_0, keepAlive: false)]),
    ParserCase(
        name: "HTTP/1.0 keep-alive",
        input: "GET /a HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n",
        requests: [
            Expected(method: "GET", target: "/a", version: .http1_0, keepAlive: true),
            Expected(method: "GET", target: "/b", version: .http1_0, keepAlive: false),
        ]),
    ParserCase(
        name: "Connection: close stops parsing",
        input: "GET /a HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n",
        requests: [Expected(method: "GET", target: "/a", keepAlive: false)]),
    ParserCase(
        name: "leading empty lines skipped",
        input: "\r\n\r\nGET /a HTTP/1.1\r\nHost: h\r\n\r\n",
        requests: [Expected(method: "GET", target: "/a")]),
    ParserCase(
        name: "absolute-form target",
        input: "GET http://example.com:8080/x/y?z=1 HTTP/1.1\r\nHost: example.com\r\n\r\n",
        requests: [Expected(method: "GET", target: "http://example.com:8080/x/y?z=1", path: "/x/y")]),
    ParserCase(
        name: "OPTIONS asterisk", input: "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
        requests: [Expected(method: "OPTIONS", target: "*", path: "*")]),
    ParserCase(
        name: "identical repeated Content-Length",
        input: "PUT /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3, 3\r\n\r\nabc",
        requests: [Expected(method: "PUT", target: "/a", body: "abc")]),
    ParserCase(
        name: "Expect 100-continue",
        input: "POST /a HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 4\r\n\r\nbody",
        requests: [Expected(method: "POST", target: "/a", body: "body")]),
    ParserCase(
        name: "obs-text in value",
        input: "GET /a HTTP/1.1\r\nHost: h\r\nX-Latin: caf\u{E9}\r\n\r\n",
        requests: [Expected(method: "GET", target: "/a", headers: ["x-latin": "caf\u{E9}"])]),
    ParserCase(
        name: "Content-Length zero and custom method",
        input: "PURGE-IT /a HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
        requests: [Expected(method: "PURGE-IT", target: "/a")]),
    ParserCase(
        name: "limits at exactly the maximum",
        input: "GET /" + String(repeating: "a", count: 48) + " HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
        limits: smallLimits, requests: [Expected(method: "GET", target: "/" + String(repeating: "a", count: 48))]),
    ParserCase(
        name: "body at exactly the maximum",
        input: "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 32\r\n\r\n" + String(repeating: "b", count: 32),
        limits: smallLimits, requests: [Expected(method: "POST", target: "/a", body: String(repeating: "b", count: 32))]),
]

let invalidCases: [ParserCase] = [
    ParserCase(
        name: "request line too long", input: "GET /" + String(repeating: "a", count: 49) + " HTTP/1.1\r\nHost: h\r\n\r\n",
        limits: smallLimits, requests: [], error: (414, "request_line_too_long")),
    ParserCase(
        name: "request line too long without LF", input: "GET /" + String(repeating: "a", count: 80),
        limits: smallLimits, requests: [], error: (414, "request_line_too_long")),
    ParserCase(
        name: "header section too large",
        input: "GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "v", count: 120) + "\r\n\r\n",
        limits: smallLimits, requests: [], error: (431, "headers_too_large")),
    ParserCase(
        name: "too many headers", input: "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
        limits: smallLimits, requests: [], error: (431, "too_many_headers")),
    ParserCase(
        name: "Content-Length over limit", input: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 33\r\n\r\n",
        limits: smallLimits, requests: [], error: (413, "body_too_large")),
    ParserCase(
        name: "huge Content-Length", input: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        requests: [], error: (413, "body_too_large")),
    ParserCase(
        name: "chunked total over limit",
        input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n11\r\n",
        limits: smallLimits, requests: [], error: (413, "chunked_body_too_large")),
    ParserCase(
        name: "CL and TE", input: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        requests: [], error: (400, "content_length_with_transfer_encoding")),
    ParserCase(
        name: "differing Content-Length", input: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        requests: [], error: (400, "conflicting_content_length")),
    ParserCase(
        name: "differing Content-Length list", input: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 6\r\n\r\nhello!",
        requests: [], error: (400, "conflicting_content_length")),
    ParserCase(
        name: "non-numeric Content-Length", input: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n",
        requests: [], error: (400, "invalid_content_length")),
    ParserCase(
        name: "signed Content-Length", input: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\nhello",
        requests: [], error: (400, "invalid_content_length")),
    ParserCase(
        name: "negative Content-Length", input: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
        requests: [], error: (400, "invalid_content_length")),
    ParserCase(
        name: "empty Content-Length", input: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \r\n\r\n",
        requests: [], error: (400, "invalid_content_length")),
    ParserCase(
        name: "obs-fold", input: "GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n",
        requests: [], error: (400, "obsolete_line_folding")),
    ParserCase(
        name: "bare CR in value", input: "GET / HTTP/1.1\r\nHost: h\r\nX-A: o\rne\r\n\r\n",
        requests: [], error: (400, "bare_cr")),
    ParserCase(
        name: "bare LF line ending", input: "GET / HTTP/1.1\nHost: h\n\n",
        requests: [], error: (400, "bare_lf")),
    ParserCase(
        name: "bare LF in header section", input: "GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n",
        requests: [], error: (400, "bare_lf")),
    ParserCase(
        name: "chunk size not hex", input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        requests: [], error: (400, "invalid_chunk_size")),
    ParserCase(
        name: "chunk size 0x prefix", input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
        requests: [], error: (400, "invalid_chunk_size")),
    ParserCase(
        name: "chunk size empty", input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
        requests: [], error: (400, "invalid_chunk_size")),
    ParserCase(
        name: "chunk size overflow", input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n",
        requests: [], error: (400, "invalid_chunk_size")),
    ParserCase(
        name: "chunk size with negative sign", input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n",
        requests: [], error: (400, "invalid_chunk_size")),
    ParserCase(
        name: "chunk extension without name",
        input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;\r\nhello\r\n0\r\n\r\n",
        requests: [], error: (400, "invalid_chunk_extension")),
    ParserCase(
        name: "chunk extension unterminated quote",
        input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"x\r\nhello\r\n0\r\n\r\n",
        requests: [], error: (400, "invalid_chunk_extension")),
    ParserCase(
        name: "chunk line too long",
        input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;" + String(repeating: "e", count: 40) + "\r\n",
        limits: smallLimits, requests: [], error: (400, "chunk_line_too_long")),
    ParserCase(
        name: "chunk data without CRLF", input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
        requests: [], error: (400, "invalid_chunk_terminator")),
    ParserCase(
        name: "chunk data with bare LF", input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n",
        requests: [], error: (400, "invalid_chunk_terminator")),
    ParserCase(
        name: "TE gzip", input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n",
        requests: [], error: (501, "unsupported_transfer_coding")),
    ParserCase(
        name: "TE gzip, chunked", input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        requests: [], error: (501, "unsupported_transfer_coding")),
    ParserCase(
        name: "TE chunked twice",
        input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        requests: [], error: (400, "invalid_transfer_encoding")),
    ParserCase(
        name: "TE empty", input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \r\n\r\n",
        requests: [], error: (400, "invalid_transfer_encoding")),
    ParserCase(
        name: "TE in HTTP/1.0", input: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        requests: [], error: (400, "invalid_transfer_encoding")),
    ParserCase(
        name: "HTTP/2 preface", input: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        requests: [], error: (505, "http_version_not_supported")),
    ParserCase(name: "HTTP/1.2", input: "GET / HTTP/1.2\r\nHost: h\r\n\r\n", requests: [], error: (505, "http_version_not_supported")),
    ParserCase(name: "HTTP/3", input: "GET / HTTP/3\r\nHost: h\r\n\r\n", requests: [], error: (505, "http_version_not_supported")),
    ParserCase(name: "HTTP/0.9 style", input: "GET /\r\n\r\n", requests: [], error: (400, "invalid_request_line")),
    ParserCase(name: "lower-case version", input: "GET / http/1.1\r\nHost: h\r\n\r\n", requests: [], error: (400, "invalid_version")),
    ParserCase(name: "version with junk", input: "GET / HTTP/1.1x\r\nHost: h\r\n\r\n", requests: [], error: (400, "invalid_version")),
    ParserCase(
        name: "extra space in request line", input: "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", requests: [], error: (400, "invalid_request_line")
    ),
    ParserCase(name: "invalid method", input: "GE(T / HTTP/1.1\r\nHost: h\r\n\r\n", requests: [], error: (400, "invalid_method")),
    ParserCase(
        name: "target with control byte", input: "GET /a\u{7F}b HTTP/1.1\r\nHost: h\r\n\r\n", requests: [], error: (400, "invalid_target")),
    ParserCase(name: "target non-ASCII", input: "GET /caf\u{E9} HTTP/1.1\r\nHost: h\r\n\r\n", requests: [], error: (400, "invalid_target")),
    ParserCase(name: "target bad percent", input: "GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n", requests: [], error: (400, "invalid_target")),
    ParserCase(name: "target fragment", input: "GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n", requests: [], error: (400, "invalid_target")),
    ParserCase(
        name: "authority-form", input: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n", requests: [],
        error: (400, "invalid_target")),
    ParserCase(name: "asterisk for GET", input: "GET * HTTP/1.1\r\nHost: h\r\n\r\n", requests: [], error: (400, "invalid_target")),
    ParserCase(name: "missing Host", input: "GET / HTTP/1.1\r\nX: y\r\n\r\n", requests: [], error: (400, "invalid_host")),
    ParserCase(name: "two Hosts", input: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", requests: [], error: (400, "invalid_host")),
    // Issue 11, finding 13: the Host value itself is checked (RFC 9112 §3.2).
    ParserCase(name: "Host with a space", input: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", requests: [], error: (400, "invalid_host")),
    ParserCase(name: "Host with userinfo", input: "GET / HTTP/1.1\r\nHost: u@h\r\n\r\n", requests: [], error: (400, "invalid_host")),
    ParserCase(name: "Host with a bad port", input: "GET / HTTP/1.1\r\nHost: h:8x\r\n\r\n", requests: [], error: (400, "invalid_host")),
    ParserCase(name: "Host with a bad escape", input: "GET / HTTP/1.1\r\nHost: h%zz\r\n\r\n", requests: [], error: (400, "invalid_host")),
    ParserCase(name: "Host unclosed literal", input: "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", requests: [], error: (400, "invalid_host")),
    ParserCase(
        name: "unknown expectation", input: "POST / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx", requests: [],
        error: (417, "expectation_failed")),
    ParserCase(name: "space before colon", input: "GET / HTTP/1.1\r\nHost : h\r\n\r\n", requests: [], error: (400, "invalid_header_name")),
    ParserCase(
        name: "empty field name", input: "GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n", requests: [], error: (400, "invalid_header_name")),
    ParserCase(
        name: "field without colon", input: "GET / HTTP/1.1\r\nHost: h\r\nnocolon\r\n\r\n", requests: [],
        error: (400, "invalid_header_name")),
    ParserCase(
        name: "NUL in value", input: "GET / HTTP/1.1\r\nHost: h\r\nX: a\u{0}b\r\n\r\n", requests: [], error: (400, "invalid_header_value")),
    ParserCase(
        name: "too many empty lines", input: String(repeating: "\r\n", count: 9) + "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        requests: [], error: (400, "invalid_request_line")),
    ParserCase(
        name: "valid then invalid pipelined",
        input: "GET /ok HTTP/1.1\r\nHost: h\r\n\r\nGET /bad HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        requests: [Expected(method: "GET", target: "/ok")], error: (400, "conflicting_content_length")),
    ParserCase(
        name: "trailers too many",
        input: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n",
        limits: smallLimits, requests: [], error: (431, "too_many_headers")),
]

/// Every way of cutting `bytes`: whole, one byte at a time, and in two at every offset.
func splits(_ bytes: [UInt8]) -> [(String, [ArraySlice<UInt8>])] {
    var out: [(String, [ArraySlice<UInt8>])] = [("whole", [bytes[...]])]
    out.append(("bytewise", bytes.indices.map { bytes[$0...$0] }))
    for i in 1..<max(bytes.count, 1) { out.append(("split@\(i)", [bytes[..<i], bytes[i...]])) }
    return out
}

func check(_ c: ParserCase) {
    let bytes = Array(c.input.utf8)
    let reference = parse([bytes[...]], limits: c.limits)
    #expect(
        reference.requests.count == c.requests.count,
        "\(c.name): \(reference.requests.map(\.target)) error \(String(describing: reference.error))")
    for (r, e) in zip(reference.requests, c.requests) {
        #expect(
            e.matches(r),
            "\(c.name): got \(r.method) \(r.target) \(r.version) keepAlive=\(r.keepAlive) body=\(String(decoding: r.body, as: UTF8.self).debugDescription) headers=\(r.headers.fields) trailers=\(r.trailers.fields); want \(e)"
        )
    }
    if let (status, code) = c.error {
        #expect(reference.error?.status == status, "\(c.name): \(String(describing: reference.error))")
        #expect(reference.error?.code == code, "\(c.name): \(String(describing: reference.error))")
    } else {
        #expect(reference.error == nil, "\(c.name): \(String(describing: reference.error))")
    }
    for (label, chunks) in splits(bytes) {
        let got = parse(chunks, limits: c.limits)
        #expect(got.requests == reference.requests, "\(c.name) \(label)")
        #expect(
            got.error == reference.error, "\(c.name) \(label): \(String(describing: got.error)) vs \(String(describing: reference.error))")
    }
}

@Suite struct HTTPRequestParserTests {
    @Test(arguments: validCases) func valid(_ c: ParserCase) { check(c) }

    @Test(arguments: invalidCases) func invalid(_ c: ParserCase) { check(c) }

    /// Host values that are valid (RFC 9112 §3.2 with RFC 3986's uri-host) pass.
    @Test(arguments: ["", "h", "example.com:8080", "127.0.0.1", "[::1]", "[::1]:80", "[v1.x]", "a-b_c~d", "h%20x", "h:"])
    func validHostValues(_ value: String) {
        #expect(HTTPRequestParser.isValidHost(value), "\(value)")
    }

    @Test func everyErrorHasDistinctCodeAndClientStatus() {
        let codes = Set(HTTPParseError.allCases.map(\.code))
        #expect(codes.count == HTTPParseError.allCases.count)
        for e in HTTPParseError.allCases {
            #expect((400...505).contains(e.status))
            #expect(e.code.allSatisfy { $0.isLowercase || $0 == "_" || $0.isNumber })
        }
    }

    @Test func expectContinueEventOnlyWhenBodyIncomplete() {
        let head = Array("POST /a HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n".utf8)
        let whole = parse([(head + Array("body".utf8))[...]], limits: .default)
        #expect(whole.continues == 0 && whole.requests.count == 1)
        let split = parse([head[...], Array("body".utf8)[...]], limits: .default)
        #expect(split.continues == 1 && split.requests.count == 1)
        let chunked = Array("POST /a HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        let c = parse([chunked[...], Array("1\r\nx\r\n0\r\n\r\n".utf8)[...]], limits: .default)
        #expect(c.continues == 1 && c.requests.first?.body == Array("x".utf8))
        // HTTP/1.0 ignores Expect.
        let old = parse([Array("POST /a HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n".utf8)[...]], limits: .default)
        #expect(old.continues == 0 && old.error == nil)
    }

    @Test func failedParserStaysFailedAndIgnoresInput() throws {
        var p = HTTPRequestParser()
        p.feed(Array("GET / HTTP/9.9\r\n".utf8))
        #expect(throws: HTTPParseError.unsupportedVersion) { try p.next() }
        p.feed(Array("GET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.unsupportedVersion) { try p.next() }
        #expect(p.bufferedByteCount == 0)
    }

    @Test func introspectionForTimers() throws {
        var p = HTTPRequestParser()
        #expect(!p.hasPartialRequest)
        p.feed(Array("POST / HTTP/1.1\r\nHost: h\r\n".utf8))
        #expect(try p.next() == nil)
        #expect(p.hasPartialRequest && !p.isReadingBody)
        p.feed(Array("Content-Length: 3\r\n\r\nab".utf8))
        #expect(try p.next() == nil)
        #expect(p.isReadingBody)
        p.feed(Array("c".utf8))
        guard case .request(let r) = try p.next() else {
            Issue.record("no request")
            return
        }
        #expect(r.body == Array("abc".utf8))
        #expect(!p.hasPartialRequest)
        #expect(p.consumedBytes == 50)
    }

    @Test func largeBodyFedInPieces() throws {
        let body = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var bytes = Array("PUT /big HTTP/1.1\r\nHost: h\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        bytes += body
        var p = HTTPRequestParser()
        var got: HTTPRequest?
        var i = 0
        while i < bytes.count {
            let j = min(i + 4093, bytes.count)
            p.feed(bytes[i..<j])
            i = j
            if case .request(let r)? = try p.next() { got = r }
        }
        #expect(got?.body == body)
        #expect(p.bufferedByteCount == 0)
    }
}
