/// Every size limit of the HTTP transport, in one value.
///
/// The parser (``HTTPRequestParser``) enforces the first six; the server
/// (`HTTPServer`) enforces the last three. Each limit names the status and the
/// stable error `code` a request that exceeds it receives. Defaults are
/// mirrored in DenseServe's `config/` file.
public struct HTTPLimits: Sendable, Hashable {
    /// Longest request line, counting its CRLF.
    /// Default 8 KiB (8192). Longer → 414 `request_line_too_long`.
    public var maxRequestLineBytes: Int
    /// Largest header section: every field line and the blank line that ends it
    /// (not the request line). Applied separately to the trailer section of a
    /// chunked body. Default 64 KiB (65536). Larger → 431 `headers_too_large`.
    public var maxHeaderBytes: Int
    /// Most header fields in one request (and, separately, trailer fields).
    /// Default 100. More → 431 `too_many_headers`.
    public var maxHeaderCount: Int
    /// Largest `Content-Length` accepted, decided from the header before any
    /// body byte is read. Default 64 MiB (67108864). Larger → 413 `body_too_large`.
    public var maxBodyBytes: Int
    /// Largest sum of chunk sizes of a chunked body, checked as each chunk size
    /// line arrives, before its data is read. Default 64 MiB. Larger → 413
    /// `chunked_body_too_large`.
    public var maxChunkedBodyBytes: Int
    /// Longest chunk-size line (size, extensions and CRLF).
    /// Default 4 KiB (4096). Longer → 400 `chunk_line_too_long`.
    public var maxChunkLineBytes: Int
    /// Largest request body after the server inflates a `Content-Encoding: gzip`
    /// body; inflation stops as soon as it is passed (zip bombs).
    /// Default 64 MiB. Larger → 413 `inflated_body_too_large`.
    public var maxInflatedBodyBytes: Int
    /// Most requests of one connection handed to the handler and not yet
    /// answered. Further pipelined requests stay unparsed (and the server stops
    /// reading the socket) until answers go out. Default 16.
    public var maxPipelinedRequests: Int
    /// Response bytes waiting for a slow reader above which the server stops
    /// parsing and reading that connection until the client drains them: a
    /// client that does not read costs at most this plus one response.
    /// Default 256 KiB (262144).
    public var maxPendingOutputBytes: Int

    /// All defaults.
    public static let `default` = HTTPLimits()

    public init(
        maxRequestLineBytes: Int = 8192,
        maxHeaderBytes: Int = 65536,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 64 << 20,
        maxChunkedBodyBytes: Int = 64 << 20,
        maxChunkLineBytes: Int = 4096,
        maxInflatedBodyBytes: Int = 64 << 20,
        maxPipelinedRequests: Int = 16,
        maxPendingOutputBytes: Int = 256 << 10
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkedBodyBytes = maxChunkedBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
        self.maxInflatedBodyBytes = maxInflatedBodyBytes
        self.maxPipelinedRequests = maxPipelinedRequests
        self.maxPendingOutputBytes = maxPendingOutputBytes
    }
}

extension HTTPLimits {
    /// The limits a request can break with a 413, 414 or 431, by their property names.
    public enum Limit: String, Sendable, Hashable, CaseIterable {
        case maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, maxBodyBytes, maxChunkedBodyBytes, maxInflatedBodyBytes

        /// What the value counts: `bytes`, or `header fields`.
        public var unit: String { self == .maxHeaderCount ? "header fields" : "bytes" }
    }

    /// The value of `limit`.
    public func value(of limit: Limit) -> Int {
        switch limit {
        case .maxRequestLineBytes: maxRequestLineBytes
        case .maxHeaderBytes: maxHeaderBytes
        case .maxHeaderCount: maxHeaderCount
        case .maxBodyBytes: maxBodyBytes
        case .maxChunkedBodyBytes: maxChunkedBodyBytes
        case .maxInflatedBodyBytes: maxInflatedBodyBytes
        }
    }
}

/// How an answer to a broken limit names the setting that raises it: the name an operator
/// knows the limit by (a configuration key such as `max_body_bytes`) and how to set it
/// (`max_body_bytes in the config file, DENSE_MAX_BODY_BYTES or --set max_body_bytes=N`).
/// The executable knows its settings; the libraries that enforce the limits only carry this.
public struct LimitSetting: Sendable, Hashable {
    public var name: String
    public var howToRaise: String

    public init(name: String, howToRaise: String) {
        self.name = name
        self.howToRaise = howToRaise
    }

    /// `"<what>: the limit is <name> = <value> <unit>; raise it with <howToRaise>"`.
    public func sentence(_ what: String, value: Int, unit: String) -> String {
        "\(what): the limit is \(name) = \(value) \(unit); raise it with \(howToRaise)"
    }
}
