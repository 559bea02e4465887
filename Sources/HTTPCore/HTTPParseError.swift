/// Why a request byte stream was rejected. Every case carries the HTTP status
/// the server answers with and a stable snake_case `code` (tests and clients
/// match on these, never on `message`). After any of these the server sends
/// one JSON error and closes the connection.
public enum HTTPParseError: Error, Sendable, Hashable, CaseIterable {
    /// Request line longer than `HTTPLimits.maxRequestLineBytes`.
    case requestLineTooLong
    /// Header (or trailer) section larger than `HTTPLimits.maxHeaderBytes`.
    case headersTooLarge
    /// More than `HTTPLimits.maxHeaderCount` header (or trailer) fields.
    case tooManyHeaders
    /// `Content-Length` above `HTTPLimits.maxBodyBytes` (decided before reading).
    case bodyTooLarge
    /// Chunk sizes summing above `HTTPLimits.maxChunkedBodyBytes`.
    case chunkedBodyTooLarge
    /// Not `method SP target SP version`, or too many blank lines before it.
    case invalidRequestLine
    /// Method is not a token.
    case invalidMethod
    /// Target has a byte outside RFC 3986, a bad `%HH`, or a form not allowed.
    case invalidTarget
    /// Version text is not `HTTP/d.d`.
    case invalidVersion
    /// A well-formed version other than HTTP/1.0 and HTTP/1.1, including the
    /// HTTP/2 connection preface (`PRI * HTTP/2.0`).
    case unsupportedVersion
    /// Field name is empty, not a token, or followed by whitespace before `:`.
    case invalidHeaderName
    /// Field value contains a control character (NUL, DEL, …).
    case invalidHeaderValue
    /// A field line starting with whitespace (obsolete line folding).
    case obsoleteLineFolding
    /// A CR not followed by LF.
    case bareCR
    /// A line ended by LF without CR. Policy: only CRLF ends a line (RFC 9112
    /// §2.2 allows but does not require accepting bare LF; we do not).
    case bareLF
    /// Both `Content-Length` and `Transfer-Encoding` (request smuggling shape).
    case contentLengthWithTransferEncoding
    /// Several `Content-Length` values that differ.
    case conflictingContentLength
    /// `Content-Length` that is not 1*DIGIT.
    case invalidContentLength
    /// A transfer coding other than `chunked` (gzip, deflate, identity, …).
    case unsupportedTransferCoding
    /// `chunked` missing as the last coding, repeated, an empty list, or
    /// `Transfer-Encoding` on an HTTP/1.0 request.
    case invalidTransferEncoding
    /// Chunk size missing, not hex, or overflowing.
    case invalidChunkSize
    /// Chunk extension not `;name[=token|quoted-string]`.
    case invalidChunkExtension
    /// Chunk-size line longer than `HTTPLimits.maxChunkLineBytes`.
    case chunkLineTooLong
    /// Chunk data not followed by CRLF.
    case invalidChunkTerminator
    /// HTTP/1.1 request without `Host`, or with several.
    case invalidHost
    /// `Expect` with anything but `100-continue`.
    case expectationFailed

    /// The status the server answers with.
    public var status: Int {
        switch self {
        case .requestLineTooLong: return 414
        case .headersTooLarge, .tooManyHeaders: return 431
        case .bodyTooLarge, .chunkedBodyTooLarge: return 413
        case .unsupportedVersion: return 505
        case .unsupportedTransferCoding: return 501
        case .expectationFailed: return 417
        case .invalidRequestLine, .invalidMethod, .invalidTarget, .invalidVersion,
            .invalidHeaderName, .invalidHeaderValue, .obsoleteLineFolding, .bareCR, .bareLF,
            .contentLengthWithTransferEncoding, .conflictingContentLength,
            .invalidContentLength, .invalidTransferEncoding, .invalidChunkSize,
            .invalidChunkExtension, .chunkLineTooLong, .invalidChunkTerminator, .invalidHost:
            return 400
        }
    }

    /// The size limit this error broke, if it is one (413, 414, 431).
    public var limit: HTTPLimits.Limit? {
        switch self {
        case .requestLineTooLong: .maxRequestLineBytes
        case .headersTooLarge: .maxHeaderBytes
        case .tooManyHeaders: .maxHeaderCount
        case .bodyTooLarge: .maxBodyBytes
        case .chunkedBodyTooLarge: .maxChunkedBodyBytes
        default: nil
        }
    }

    /// Stable snake_case identifier.
    public var code: String {
        switch self {
        case .requestLineTooLong: return "request_line_too_long"
        case .headersTooLarge: return "headers_too_large"
        case .tooManyHeaders: return "too_many_headers"
        case .bodyTooLarge: return "body_too_large"
        case .chunkedBodyTooLarge: return "chunked_body_too_large"
        case .invalidRequestLine: return "invalid_request_line"
        case .invalidMethod: return "invalid_method"
        case .invalidTarget: return "invalid_target"
        case .invalidVersion: return "invalid_version"
        case .unsupportedVersion: return "http_version_not_supported"
        case .invalidHeaderName: return "invalid_header_name"
        case .invalidHeaderValue: return "invalid_header_value"
        case .obsoleteLineFolding: return "obsolete_line_folding"
        case .bareCR: return "bare_cr"
        case .bareLF: return "bare_lf"
        case .contentLengthWithTransferEncoding: return "content_length_with_transfer_encoding"
        case .conflictingContentLength: return "conflicting_content_length"
        case .invalidContentLength: return "invalid_content_length"
        case .unsupportedTransferCoding: return "unsupported_transfer_coding"
        case .invalidTransferEncoding: return "invalid_transfer_encoding"
        case .invalidChunkSize: return "invalid_chunk_size"
        case .invalidChunkExtension: return "invalid_chunk_extension"
        case .chunkLineTooLong: return "chunk_line_too_long"
        case .invalidChunkTerminator: return "invalid_chunk_terminator"
        case .invalidHost: return "invalid_host"
        case .expectationFailed: return "expectation_failed"
        }
    }

    /// A short human-readable message (not stable; do not match on it).
    public var message: String {
        switch self {
        case .requestLineTooLong: return "request line too long"
        case .headersTooLarge: return "header section too large"
        case .tooManyHeaders: return "too many header fields"
        case .bodyTooLarge: return "request body too large"
        case .chunkedBodyTooLarge: return "chunked request body too large"
        case .invalidRequestLine: return "malformed request line"
        case .invalidMethod: return "invalid method"
        case .invalidTarget: return "invalid request target"
        case .invalidVersion: return "malformed HTTP version"
        case .unsupportedVersion: return "HTTP version not supported; use HTTP/1.1"
        case .invalidHeaderName: return "invalid header field name"
        case .invalidHeaderValue: return "invalid header field value"
        case .obsoleteLineFolding: return "obsolete line folding is not accepted"
        case .bareCR: return "bare CR in message"
        case .bareLF: return "lines must end with CRLF"
        case .contentLengthWithTransferEncoding: return "both Content-Length and Transfer-Encoding"
        case .conflictingContentLength: return "conflicting Content-Length values"
        case .invalidContentLength: return "invalid Content-Length"
        case .unsupportedTransferCoding: return "unsupported transfer coding"
        case .invalidTransferEncoding: return "invalid Transfer-Encoding"
        case .invalidChunkSize: return "invalid chunk size"
        case .invalidChunkExtension: return "invalid chunk extension"
        case .chunkLineTooLong: return "chunk size line too long"
        case .invalidChunkTerminator: return "chunk data not followed by CRLF"
        case .invalidHost: return "missing, repeated or invalid Host header (RFC 9112 §3.2: host[:port], no spaces or userinfo)"
        case .expectationFailed: return "unsupported expectation"
        }
    }
}
