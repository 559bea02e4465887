/// What ``HTTPRequestParser/next()`` produced.
public enum HTTPParserEvent: Sendable, Hashable {
    /// A head with `Expect: 100-continue` whose body has not fully arrived: the
    /// server should send `100 Continue` (after any earlier responses). The
    /// same request follows later as `.request`. Never emitted when the whole
    /// body is already buffered, nor for HTTP/1.0.
    case expectContinue(HTTPRequestHead)
    /// A complete request. Pipelined requests come out in arrival order.
    case request(HTTPRequest)
}

/// An incremental, byte-fed HTTP/1.1 request parser (RFC 9112). No I/O, no clocks.
///
/// Feed arbitrary slices with ``feed(_:)-(UnsafeRawBufferPointer)``, then call
/// ``next()`` until it returns nil (needs more bytes). The result never depends
/// on how the stream was split. Strictness policy:
/// - Lines end with CRLF only: a bare LF (``HTTPParseError/bareLF``) or a CR not
///   followed by LF (``HTTPParseError/bareCR``) is rejected. Up to 8 empty lines
///   before a request line are skipped (RFC 9112 §2.2).
/// - Smuggling shapes are rejected: `Content-Length` with `Transfer-Encoding`,
///   differing `Content-Length`s, non-numeric `Content-Length`, obs-fold,
///   whitespace before `:`, invalid chunk sizes or extensions, chunk data not
///   followed by CRLF, `Transfer-Encoding` on HTTP/1.0.
/// - Transfer codings other than a single final `chunked` → 501; versions other
///   than 1.0/1.1 (and the HTTP/2 preface) → 505.
/// - HTTP/1.1 requires exactly one `Host`.
/// Limits come from ``HTTPLimits``. After an error the parser stays failed and
/// rethrows it; after a request that does not keep the connection alive it
/// ignores all further bytes.
public struct HTTPRequestParser: Sendable {
    public let limits: HTTPLimits

    private enum State: Sendable {
        case requestLine
        case headers
        case fixedBody
        case chunkSize
        case chunkData
        case chunkDataEnd
        case trailers
        case closed
        case failed(HTTPParseError)
    }

    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes after `start` already scanned for LF without finding one.
    private var scanned = 0
    private var state: State = .requestLine
    private var emptyLines = 0

    private var method = ""
    private var target = ""
    private var version = HTTPVersion.http1_1
    private var headers = HTTPHeaders()
    private var sectionBytes = 0
    private var pendingHead: HTTPRequestHead?
    private var body: [UInt8] = []
    private var remaining = 0
    private var chunkedTotal = 0
    private var trailers = HTTPHeaders()
    private var continueDue = false

    /// Requests emitted so far.
    public private(set) var completedRequests = 0
    /// Bytes consumed so far (request lines, heads, bodies, framing).
    public private(set) var consumedBytes = 0

    public init(limits: HTTPLimits = .default) {
        self.limits = limits
    }

    // MARK: Input

    /// Appends bytes to parse. Ignored once the parser failed or closed.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard acceptsInput, bytes.count > 0 else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Appends bytes to parse. Ignored once the parser failed or closed.
    public mutating func feed<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        guard acceptsInput, !bytes.isEmpty else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    private var acceptsInput: Bool {
        switch state {
        case .closed, .failed: return false
        default: return true
        }
    }

    private mutating func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 16384)
            start = 0
        } else if start >= 4096 && start * 2 >= buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }

    // MARK: Introspection (for the server's timers and flow control)

    /// Bytes received and not yet consumed.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Request bytes the parser holds in memory: unparsed input plus the body being read.
    public var heldByteCount: Int { buffer.count + body.count }

    /// Whether part of a request (at least one byte) has arrived and the request is not complete.
    public var hasPartialRequest: Bool {
        switch state {
        case .requestLine: return buffer.count > start || emptyLines > 0
        case .closed, .failed: return false
        default: return true
        }
    }

    /// Whether the head of the current request is complete and its body is being read.
    public var isReadingBody: Bool {
        switch state {
        case .fixedBody, .chunkSize, .chunkData, .chunkDataEnd, .trailers: return true
        default: return false
        }
    }

    /// Whether a request without keep-alive was emitted; later bytes are ignored.
    public var isClosed: Bool { if case .closed = state { true } else { false } }

    /// The error the parser failed with, if any.
    public var error: HTTPParseError? { if case .failed(let e) = state { e } else { nil } }

    // MARK: Parsing

    /// The next event, or nil when more bytes are needed (or the parser is closed).
    public mutating func next() throws(HTTPParseError) -> HTTPParserEvent? {
        if case .failed(let e) = state { throw e }
        do {
            return try step()
        } catch {
            state = .failed(error)
            buffer = []
            start = 0
            body = []
            throw error
        }
    }

    private mutating func step() throws(HTTPParseError) -> HTTPParserEvent? {
        while true {
            switch state {
            case .failed(let e):
                throw e
            case .closed:
                return nil

            case .requestLine:
                guard let lf = try findLine(limit: limits.maxRequestLineBytes, tooLong: .requestLineTooLong)
                else { return nil }
                let end = try lineContentEnd(lf)
                if end == start {
                    emptyLines += 1
                    if emptyLines > 8 { throw .invalidRequestLine }
                    consume(to: lf + 1)
                    continue
                }
                try parseRequestLine(start, end)
                consume(to: lf + 1)
                emptyLines = 0
                headers = HTTPHeaders()
                sectionBytes = 0
                state = .headers

            case .headers:
                guard let lf = try findLine(limit: limits.maxHeaderBytes - sectionBytes, tooLong: .headersTooLarge)
                else { return nil }
                let end = try lineContentEnd(lf)
                sectionBytes += lf + 1 - start
                if end == start {
                    consume(to: lf + 1)
                    if let request = try finishHead() { return .request(request) }
                    continue
                }
                let field = try parseFieldLine(start, end)
                if headers.count >= limits.maxHeaderCount { throw .tooManyHeaders }
                headers.appendField(field)
                consume(to: lf + 1)

            case .fixedBody:
                takeBody()
                if remaining == 0 { return .request(emit()) }
                return takeContinue()

            case .chunkSize:
                guard let lf = try findLine(limit: limits.maxChunkLineBytes, tooLong: .chunkLineTooLong)
                else { return takeContinue() }
                let end = try lineContentEnd(lf)
                let size = try parseChunkSizeLine(start, end)
                consume(to: lf + 1)
                if size == 0 {
                    trailers = HTTPHeaders()
                    sectionBytes = 0
                    state = .trailers
                } else {
                    if size > limits.maxChunkedBodyBytes - chunkedTotal { throw .chunkedBodyTooLarge }
                    chunkedTotal += size
                    remaining = size
                    state = .chunkData
                }

            case .chunkData:
                takeBody()
                if remaining > 0 { return takeContinue() }
                state = .chunkDataEnd

            case .chunkDataEnd:
                let available = buffer.count - start
                if available >= 1 && buffer[start] != asciiCR { throw .invalidChunkTerminator }
                if available >= 2 && buffer[start + 1] != asciiLF { throw .invalidChunkTerminator }
                if available < 2 { return takeContinue() }
                consume(to: start + 2)
                state = .chunkSize

            case .trailers:
                guard let lf = try findLine(limit: limits.maxHeaderBytes - sectionBytes, tooLong: .headersTooLarge)
                else { return takeContinue() }
                let end = try lineContentEnd(lf)
                sectionBytes += lf + 1 - start
                if end == start {
                    consume(to: lf + 1)
                    return .request(emit())
                }
                let field = try parseFieldLine(start, end)
                if trailers.count >= limits.maxHeaderCount { throw .tooManyHeaders }
                trailers.appendField(field)
                consume(to: lf + 1)
            }
        }
    }

    /// The pending `100-continue` event, once, when the body is still incomplete.
    private mutating func takeContinue() -> HTTPParserEvent? {
        guard continueDue, let head = pendingHead else { return nil }
        continueDue = false
        return .expectContinue(head)
    }

    /// Moves up to `remaining` body bytes from the buffer into the body (fixed-length and
    /// chunk data alike).
    private mutating func takeBody() {
        let n = min(remaining, buffer.count - start)
        guard n > 0 else { return }
        body.append(contentsOf: buffer[start..<(start + n)])
        consume(to: start + n)
        remaining -= n
    }

    private mutating func consume(to newStart: Int) {
        consumedBytes += newStart - start
        start = newStart
        scanned = 0
    }

    /// Index of the next LF, or nil when more bytes are needed. A line (with
    /// its CRLF) longer than `limit` throws `tooLong`, whether or not its LF has arrived.
    private mutating func findLine(limit: Int, tooLong: HTTPParseError) throws(HTTPParseError) -> Int? {
        let count = buffer.count
        let from = start + scanned
        let found: Int = buffer.withUnsafeBufferPointer { p in
            var j = from
            while j < count {
                if p[j] == asciiLF { return j }
                j += 1
            }
            return -1
        }
        if found >= 0 {
            scanned = 0
            if found - start + 1 > limit { throw tooLong }
            return found
        }
        scanned = count - start
        if count - start >= limit { throw tooLong }
        return nil
    }

    /// Checks that the line ending at `lf` ends with CRLF and holds no other CR;
    /// returns the index of its CR (end of content).
    private func lineContentEnd(_ lf: Int) throws(HTTPParseError) -> Int {
        guard lf > start, buffer[lf - 1] == asciiCR else { throw .bareLF }
        let end = lf - 1
        let s = start
        let hasCR = buffer.withUnsafeBufferPointer { p in
            var i = s
            while i < end {
                if p[i] == asciiCR { return true }
                i += 1
            }
            return false
        }
        if hasCR { throw .bareCR }
        return end
    }

    // MARK: Request line

    private mutating func parseRequestLine(_ s: Int, _ e: Int) throws(HTTPParseError) {
        let result: Result<(String, String, HTTPVersion), HTTPParseError> = buffer.withUnsafeBufferPointer { p in
            var i = s
            while i < e && p[i] != asciiSP { i += 1 }
            let methodEnd = i
            guard methodEnd < e, methodEnd > s else { return .failure(.invalidRequestLine) }
            for j in s..<methodEnd where !isTokenByte(p[j]) { return .failure(.invalidMethod) }
            let ts = methodEnd + 1
            var k = ts
            while k < e && p[k] != asciiSP { k += 1 }
            guard k < e, k > ts else { return .failure(.invalidRequestLine) }
            let version: HTTPVersion
            switch Self.parseVersion(p, k + 1, e) {
            case .success(let v): version = v
            case .failure(let err): return .failure(err)
            }
            let isOptions = methodEnd - s == 7 && Self.equal(p, s, "OPTIONS")
            if let err = Self.validateTarget(p, ts, k, isOptions: isOptions) { return .failure(err) }
            let m = String(decoding: UnsafeBufferPointer(rebasing: p[s..<methodEnd]), as: UTF8.self)
            let t = String(decoding: UnsafeBufferPointer(rebasing: p[ts..<k]), as: UTF8.self)
            return .success((m, t, version))
        }
        switch result {
        case .success(let (m, t, v)):
            method = m
            target = t
            version = v
        case .failure(let err):
            throw err
        }
    }

    private static func equal(_ p: UnsafeBufferPointer<UInt8>, _ at: Int, _ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard at + n <= p.count else { return false }
        let t = text.utf8Start
        for i in 0..<n where p[at + i] != t[i] { return false }
        return true
    }

    /// `HTTP/1.1` and `HTTP/1.0` are served; any other `HTTP/digits[.digits]`
    /// is 505; anything else is 400.
    private static func parseVersion(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Result<HTTPVersion, HTTPParseError> {
        guard e - s >= 6, equal(p, s, "HTTP/") else { return .failure(.invalidVersion) }
        var i = s + 5
        let majorStart = i
        while i < e && p[i] >= UInt8(ascii: "0") && p[i] <= UInt8(ascii: "9") { i += 1 }
        let majorEnd = i
        guard majorEnd > majorStart else { return .failure(.invalidVersion) }
        var minorStart = e
        var minorEnd = e
        if i < e {
            guard p[i] == UInt8(ascii: ".") else { return .failure(.invalidVersion) }
            i += 1
            minorStart = i
            while i < e && p[i] >= UInt8(ascii: "0") && p[i] <= UInt8(ascii: "9") { i += 1 }
            minorEnd = i
            guard i == e, minorEnd > minorStart else { return .failure(.invalidVersion) }
        }
        guard majorEnd - majorStart == 1, minorEnd - minorStart == 1, p[majorStart] == UInt8(ascii: "1")
        else { return .failure(.unsupportedVersion) }
        switch p[minorStart] {
        case UInt8(ascii: "1"): return .success(.http1_1)
        case UInt8(ascii: "0"): return .success(.http1_0)
        default: return .failure(.unsupportedVersion)
        }
    }

    /// origin-form (`/…`), absolute-form (`scheme://…`) or asterisk-form
    /// (`*`, OPTIONS only). Bytes per ``isTargetByte(_:)``, `%` must be `%HH`.
    private static func validateTarget(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, isOptions: Bool) -> HTTPParseError? {
        if e - s == 1 && p[s] == UInt8(ascii: "*") { return isOptions ? nil : .invalidTarget }
        var i = s
        if p[s] != UInt8(ascii: "/") {
            // absolute-form: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) "://"
            guard (p[s] | 0x20) >= UInt8(ascii: "a") && (p[s] | 0x20) <= UInt8(ascii: "z") else { return .invalidTarget }
            i += 1
            while i < e {
                let b = p[i]
                let lower = b | 0x20
                if (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
                    || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
                {
                    i += 1
                } else {
                    break
                }
            }
            guard e - i > 3, equal(p, i, "://") else { return .invalidTarget }
            i += 3
        }
        while i < e {
            let b = p[i]
            if b == UInt8(ascii: "%") {
                guard i + 2 < e, isHexDigit(p[i + 1]), isHexDigit(p[i + 2]) else { return .invalidTarget }
                i += 3
                continue
            }
            guard isTargetByte(b) else { return .invalidTarget }
            i += 1
        }
        return nil
    }

    // MARK: Fields

    private func parseFieldLine(_ s: Int, _ e: Int) throws(HTTPParseError) -> HTTPField {
        let result: Result<HTTPField, HTTPParseError> = buffer.withUnsafeBufferPointer { p in
            if p[s] == asciiSP || p[s] == asciiHT { return .failure(.obsoleteLineFolding) }
            var colon = s
            while colon < e && p[colon] != UInt8(ascii: ":") { colon += 1 }
            guard colon < e, colon > s else { return .failure(.invalidHeaderName) }
            for j in s..<colon where !isTokenByte(p[j]) { return .failure(.invalidHeaderName) }
            var vs = colon + 1
            var ve = e
            while vs < ve && (p[vs] == asciiSP || p[vs] == asciiHT) { vs += 1 }
            while ve > vs && (p[ve - 1] == asciiSP || p[ve - 1] == asciiHT) { ve -= 1 }
            for j in vs..<ve where !isFieldValueByte(p[j]) { return .failure(.invalidHeaderValue) }
            let name = String(decoding: UnsafeBufferPointer(rebasing: p[s..<colon]), as: UTF8.self)
            let value = String(decoding: UnsafeBufferPointer(rebasing: p[vs..<ve]), as: UTF8.self)
            return .success(HTTPField(name: name, value: value))
        }
        switch result {
        case .success(let field):
            return field
        case .failure(let err):
            throw err
        }
    }

    /// Whether `value` is a Host field value (RFC 9112 §3.2, RFC 3986 §3.2.2): empty, or
    /// `uri-host [":" port]` where uri-host is a bracketed IP literal or a reg-name of
    /// unreserved, sub-delims and `%HH` bytes, and the port is digits. No userinfo, no spaces.
    static func isValidHost(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        var index = 0
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")), close > 1 else { return false }
            for byte in bytes[1..<close] where !(isUnreservedOrSubDelim(byte) || byte == UInt8(ascii: ":")) { return false }
            index = close + 1
        } else {
            while index < bytes.count && bytes[index] != UInt8(ascii: ":") {
                let byte = bytes[index]
                if byte == UInt8(ascii: "%") {
                    guard index + 2 < bytes.count, isHexDigit(bytes[index + 1]), isHexDigit(bytes[index + 2]) else { return false }
                    index += 3
                    continue
                }
                guard isUnreservedOrSubDelim(byte) else { return false }
                index += 1
            }
        }
        guard index < bytes.count else { return true }
        guard bytes[index] == UInt8(ascii: ":") else { return false }
        return bytes[(index + 1)...].allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
    }

    /// RFC 3986 unreserved (`A-Z a-z 0-9 - . _ ~`) and sub-delims (`! $ & ' ( ) * + , ; =`).
    private static func isUnreservedOrSubDelim(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
        case UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="):
            true
        default: false
        }
    }

    /// Applies the framing and connection rules to a complete head. Returns the
    /// request when it has no body.
    private mutating func finishHead() throws(HTTPParseError) -> HTTPRequest? {
        var hostCount = 0
        var contentLengthValues: [String] = []
        var transferEncodingValues: [String] = []
        var expectValue: String?
        var connectionClose = false
        var connectionKeepAlive = false
        for f in headers.fields {
            switch f.name.utf8.count {
            case 4 where equalsIgnoringASCIICase(f.name, "host"):
                hostCount += 1
                guard Self.isValidHost(f.value) else { throw .invalidHost }
            case 6 where equalsIgnoringASCIICase(f.name, "expect"):
                if expectValue != nil, version == .http1_1 { throw .expectationFailed }
                expectValue = f.value
            case 10 where equalsIgnoringASCIICase(f.name, "connection"):
                for token in lowercasedListElements(f.value) {
                    if token == "close" { connectionClose = true }
                    if token == "keep-alive" { connectionKeepAlive = true }
                }
            case 14 where equalsIgnoringASCIICase(f.name, "content-length"):
                contentLengthValues.append(f.value)
            case 17 where equalsIgnoringASCIICase(f.name, "transfer-encoding"):
                transferEncodingValues.append(f.value)
            default:
                break
            }
        }
        if version == .http1_1 ? hostCount != 1 : hostCount > 1 { throw .invalidHost }

        var framing = HTTPBodyFraming.none
        if !transferEncodingValues.isEmpty {
            if !contentLengthValues.isEmpty { throw .contentLengthWithTransferEncoding }
            if version == .http1_0 { throw .invalidTransferEncoding }
            var codings: [String] = []
            for v in transferEncodingValues { codings += lowercasedListElements(v) }
            for c in codings where c != "chunked" { throw .unsupportedTransferCoding }
            guard codings.count == 1 else { throw .invalidTransferEncoding }
            framing = .chunked
        } else if !contentLengthValues.isEmpty {
            var length: Int?
            for v in contentLengthValues {
                var sawElement = false
                for element in v.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                    var digits = element[...]
                    while let f = digits.first, f == asciiSP || f == asciiHT { digits = digits.dropFirst() }
                    while let l = digits.last, l == asciiSP || l == asciiHT { digits = digits.dropLast() }
                    guard !digits.isEmpty else { throw .invalidContentLength }
                    var n = 0
                    for d in digits {
                        guard d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") else { throw .invalidContentLength }
                        n = n > (Int.max - 9) / 10 ? Int.max : n * 10 + Int(d - UInt8(ascii: "0"))
                    }
                    if let l = length, l != n { throw .conflictingContentLength }
                    length = n
                    sawElement = true
                }
                if !sawElement { throw .invalidContentLength }
            }
            let n = length ?? 0
            if n > limits.maxBodyBytes { throw .bodyTooLarge }
            framing = .contentLength(n)
        }

        var expectsContinue = false
        if let e = expectValue, version == .http1_1 {
            let trimmed = lowercasedListElements(e)
            guard trimmed == ["100-continue"] else { throw .expectationFailed }
            expectsContinue = true
        }

        let keepAlive = version == .http1_1 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        let head = HTTPRequestHead(
            method: method, target: target, version: version, headers: headers,
            keepAlive: keepAlive, expectsContinue: expectsContinue, framing: framing)
        headers = HTTPHeaders()
        pendingHead = head
        body = []
        switch framing {
        case .none, .contentLength(0):
            return emit()
        case .contentLength(let n):
            body.reserveCapacity(min(n, 1 << 20))
            remaining = n
            continueDue = expectsContinue
            state = .fixedBody
        case .chunked:
            chunkedTotal = 0
            continueDue = expectsContinue
            state = .chunkSize
        }
        return nil
    }

    /// chunk-size [ chunk-ext ] of the line `buffer[s..<e]` (see ``ChunkSizeLine``).
    private func parseChunkSizeLine(_ s: Int, _ e: Int) throws(HTTPParseError) -> Int {
        try buffer.withUnsafeBufferPointer { ChunkSizeLine.parse($0, s, e) }.get()
    }

    private mutating func emit() -> HTTPRequest {
        let head = pendingHead!
        let request = HTTPRequest(head: head, body: body, trailers: trailers)
        pendingHead = nil
        body = []
        trailers = HTTPHeaders()
        continueDue = false
        remaining = 0
        completedRequests += 1
        if head.keepAlive {
            state = .requestLine
            if start == buffer.count && buffer.capacity > 16384 {
                buffer = []
                start = 0
            }
        } else {
            state = .closed
            buffer = []
            start = 0
        }
        return request
    }
}
