/// How a request's body is delimited (RFC 9112 §6.3).
public enum HTTPBodyFraming: Sendable, Hashable {
    /// No `Content-Length` and no `Transfer-Encoding`: the body is empty.
    case none
    /// `Content-Length: n`.
    case contentLength(Int)
    /// `Transfer-Encoding: chunked`.
    case chunked
}

/// A parsed request line and header section.
public struct HTTPRequestHead: Sendable, Hashable {
    /// The method token exactly as sent (methods are case-sensitive).
    public var method: String
    /// The request target as sent: origin-form `/p?q`, absolute-form
    /// `http://h/p?q`, or `*` (OPTIONS only).
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    /// Whether the connection stays open after this exchange: HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    public var keepAlive: Bool
    /// `Expect: 100-continue` on an HTTP/1.1 request (ignored for HTTP/1.0).
    public var expectsContinue: Bool
    public var framing: HTTPBodyFraming

    public init(
        method: String, target: String, version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(), keepAlive: Bool = true,
        expectsContinue: Bool = false, framing: HTTPBodyFraming = .none
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
        self.framing = framing
    }

    /// The path of the target: no scheme or authority, no query. `*` for
    /// asterisk-form. Percent-encoding is kept.
    public var path: String {
        var bytes = Substring(target).utf8[...]
        if bytes.first != UInt8(ascii: "/") && target != "*" {
            // absolute-form: scheme "://" authority path-abempty [ "?" query ]
            var i = bytes.startIndex
            var found = false
            while i < bytes.endIndex {
                if bytes[i] == UInt8(ascii: ":") {
                    let rest = bytes[bytes.index(after: i)...]
                    if rest.starts(with: "//".utf8) {
                        bytes = rest.dropFirst(2)
                        found = true
                    }
                    break
                }
                i = bytes.index(after: i)
            }
            if found {
                guard let slash = bytes.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }),
                    bytes[slash] == UInt8(ascii: "/")
                else { return "/" }
                bytes = bytes[slash...]
            }
        }
        if let q = bytes.firstIndex(of: UInt8(ascii: "?")) { bytes = bytes[..<q] }
        return String(Substring(bytes))
    }

    /// The query of the target (after `?`, without it), or nil when absent.
    public var query: String? {
        guard let q = target.firstIndex(of: "?") else { return nil }
        return String(target[target.index(after: q)...])
    }
}
