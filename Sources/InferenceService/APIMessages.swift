import HTTPCore
import TensorJSON

/// An HTTP request as the API sees it: no sockets, no parser state. The headers are the
/// parser's own `HTTPHeaders` (no copy per request; lookups ignore ASCII case).
public struct APIRequest: Sendable {
    public var method: String
    /// Path without the query, percent-decoding not applied (model names need none).
    public var path: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Whether the peer address is loopback (admin routes without a token need it).
    public var remoteIsLoopback: Bool
    /// Whether the client has gone (closed its connection) with this request unanswered;
    /// work that has not started yet is then skipped.
    public var isAbandoned: @Sendable () -> Bool

    public init(
        method: String, path: String, headers: HTTPHeaders, body: [UInt8], remoteIsLoopback: Bool,
        isAbandoned: @escaping @Sendable () -> Bool = { false }
    ) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.remoteIsLoopback = remoteIsLoopback
        self.isAbandoned = isAbandoned
    }

    /// A request with its headers as (name, value) pairs, in order.
    public init(
        method: String, path: String, headers: [(name: String, value: String)], body: [UInt8], remoteIsLoopback: Bool,
        isAbandoned: @escaping @Sendable () -> Bool = { false }
    ) {
        self.init(
            method: method, path: path, headers: HTTPHeaders(headers.map { ($0.name, $0.value) }), body: body,
            remoteIsLoopback: remoteIsLoopback, isAbandoned: isAbandoned)
    }

    /// First value of a header, ignoring ASCII case.
    public func header(_ name: String) -> String? { headers[name] }
}

/// An HTTP response as the API produces it; the transport adds framing headers.
public struct APIResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Fields after the body (gRPC's `grpc-status`); sent over HTTP/2 only.
    public var trailers: HTTPHeaders

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8], trailers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.headers = headers
        self.body = body
        self.trailers = trailers
    }

    /// A JSON body with `Content-Type: application/json`, then `headers`.
    public static func json(_ status: Int, _ body: [UInt8], headers: [(String, String)] = []) -> APIResponse {
        var fields = HTTPHeaders()
        fields.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { fields.add(name: name, value: value) }
        return APIResponse(status: status, headers: fields, body: body)
    }

    /// The error body and status of a ``ServiceError`` — the only way errors become responses.
    /// A broken JSON size limit is named with its value from `limits` and its setting.
    public static func error(
        _ error: ServiceError, limits: JSONLimits = .default, settings: [JSONLimits.Limit: LimitSetting] = [:]
    ) -> APIResponse {
        json(error.status, error.jsonBody(limits: limits, settings: settings), headers: error.headers)
    }
}
