import HTTPCore

/// Errors of the transport: failures to start (thrown by `HTTPServer.start()`)
/// and the transport errors the server answers itself with the fixed JSON body
/// `{"error":"<message>","code":"<code>"}`. Each case has a status and a stable `code`.
public enum HTTPServerError: Error, Sendable, Hashable {
    /// The request bytes were rejected by the parser (status and code of the parse error).
    case parse(HTTPParseError)
    /// Head or body did not arrive within its timeout. 408 `request_timeout`.
    case requestTimeout
    /// The connection cap was reached. 503 `too_many_connections`.
    case tooManyConnections
    /// Receiving this request would pass `maxBufferedRequestBytes` over all connections.
    /// 503 `server_busy`.
    case requestBytesBudgetExhausted
    /// Queuing this response would pass `maxBufferedResponseBytes` over all connections.
    /// 503 `server_busy`.
    case responseBytesBudgetExhausted
    /// `Content-Encoding` other than gzip, x-gzip or identity. 415 `unsupported_content_encoding`.
    case unsupportedContentEncoding
    /// A gzip body inflates past `HTTPLimits.maxInflatedBodyBytes`. 413 `inflated_body_too_large`.
    case inflatedBodyTooLarge
    /// A gzip body that zlib cannot inflate. 400 `invalid_gzip_body`.
    case invalidGzipBody
    /// The client half-closed in the middle of a request. 400 `incomplete_request`.
    case incompleteRequest
    /// `start()` could not create, bind or listen. 500 `listen_failed`.
    case listenFailed(host: String, port: Int, errno: Int32)
    /// `host` is not an IPv4 or IPv6 literal. 500 `invalid_listen_address`.
    case invalidListenAddress(String)
    /// `start()` was called twice. 500 `already_started`.
    case alreadyStarted

    public var status: Int {
        switch self {
        case .parse(let e): return e.status
        case .requestTimeout: return 408
        case .tooManyConnections, .requestBytesBudgetExhausted, .responseBytesBudgetExhausted: return 503
        case .unsupportedContentEncoding: return 415
        case .inflatedBodyTooLarge: return 413
        case .invalidGzipBody, .incompleteRequest: return 400
        case .listenFailed, .invalidListenAddress, .alreadyStarted: return 500
        }
    }

    public var code: String {
        switch self {
        case .parse(let e): return e.code
        case .requestTimeout: return "request_timeout"
        case .tooManyConnections: return "too_many_connections"
        case .requestBytesBudgetExhausted, .responseBytesBudgetExhausted: return "server_busy"
        case .unsupportedContentEncoding: return "unsupported_content_encoding"
        case .inflatedBodyTooLarge: return "inflated_body_too_large"
        case .invalidGzipBody: return "invalid_gzip_body"
        case .incompleteRequest: return "incomplete_request"
        case .listenFailed: return "listen_failed"
        case .invalidListenAddress: return "invalid_listen_address"
        case .alreadyStarted: return "already_started"
        }
    }

    public var message: String {
        switch self {
        case .parse(let e): return e.message
        case .requestTimeout: return "request not received in time"
        case .tooManyConnections: return "too many connections; retry later"
        case .requestBytesBudgetExhausted: return "too many request bytes in flight on this server; retry later"
        case .responseBytesBudgetExhausted: return "too many response bytes waiting for slow clients on this server; retry later"
        case .unsupportedContentEncoding: return "unsupported Content-Encoding; use gzip or identity"
        case .inflatedBodyTooLarge: return "inflated request body too large"
        case .invalidGzipBody: return "request body is not valid gzip"
        case .incompleteRequest: return "connection closed in the middle of a request"
        case .listenFailed(let host, let port, let errno): return "cannot listen on \(host):\(port) (errno \(errno))"
        case .invalidListenAddress(let host): return "not an IP address: \(host)"
        case .alreadyStarted: return "server already started"
        }
    }

    /// The size limit this error broke (a 413, 414 or 431), if it is one.
    public var limit: HTTPLimits.Limit? {
        switch self {
        case .parse(let e): return e.limit
        case .inflatedBodyTooLarge: return .maxInflatedBodyBytes
        default: return nil
        }
    }

    /// The response the server sends for this error: JSON body, `Content-Type:
    /// application/json`, plus `Retry-After` for 503. The caller decides `Connection`.
    ///
    /// An error that broke a size limit (``limit``) names it, with its value from `limits`
    /// and how to raise it (`settings`; a limit without an entry is named by its
    /// `HTTPLimits` property): in the message, and as `"limit"` and `"limit_value"`.
    public func response(
        retryAfterSeconds: Int, limits: HTTPLimits = .default, settings: [HTTPLimits.Limit: LimitSetting] = [:]
    ) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        if status == 503 { headers.add(name: "Retry-After", value: String(max(retryAfterSeconds, 0))) }
        guard let limit else {
            return HTTPResponse(status: status, headers: headers, body: Self.jsonBody(message: message, code: code))
        }
        let setting =
            settings[limit] ?? LimitSetting(name: limit.rawValue, howToRaise: "HTTPLimits.\(limit.rawValue) of the server's configuration")
        let value = limits.value(of: limit)
        return HTTPResponse(
            status: status, headers: headers,
            body: Self.jsonBody(
                message: setting.sentence(message, value: value, unit: limit.unit), code: code, limit: (setting.name, value)))
    }

    /// `{"error":"<message>","code":"<code>"}` with JSON string escaping, plus
    /// `"limit":"<name>","limit_value":<value>` when a limit is given.
    public static func jsonBody(message: String, code: String, limit: (name: String, value: Int)? = nil) -> [UInt8] {
        var out: [UInt8] = Array("{\"error\":\"".utf8)
        appendEscaped(message, to: &out)
        out += Array("\",\"code\":\"".utf8)
        appendEscaped(code, to: &out)
        out += Array("\"".utf8)
        if let limit {
            out += Array(",\"limit\":\"".utf8)
            appendEscaped(limit.name, to: &out)
            out += Array("\",\"limit_value\":\(limit.value)".utf8)
        }
        out += Array("}".utf8)
        return out
    }

    private static func appendEscaped(_ s: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += [92, 34]
            case UInt8(ascii: "\\"): out += [92, 92]
            case 0..<0x20: out += [92, UInt8(ascii: "u"), 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: out.append(b)
            }
        }
    }
}
