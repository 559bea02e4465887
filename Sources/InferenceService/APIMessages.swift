/// An HTTP request as the API sees it: no sockets, no parser state.
public struct APIRequest: Sendable {
    public var method: String
    /// Path without the query, percent-decoding not applied (model names need none).
    public var path: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Whether the peer address is loopback (admin routes without a token need it).
    public var remoteIsLoopback: Bool
    /// Whether the client has gone (closed its connection) with this request unanswered;
    /// work that has not started yet is then skipped.
    public var isAbandoned: @Sendable () -> Bool

    public init(
        method: String, path: String, headers: [(name: String, value: String)], body: [UInt8], remoteIsLoopback: Bool,
        isAbandoned: @escaping @Sendable () -> Bool = { false }
    ) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.remoteIsLoopback = remoteIsLoopback
        self.isAbandoned = isAbandoned
    }

    /// First value of a header, case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// An HTTP response as the API produces it; the transport adds framing headers.
public struct APIResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON body with `Content-Type: application/json`.
    public static func json(_ status: Int, _ body: [UInt8], headers: [(name: String, value: String)] = []) -> APIResponse {
        APIResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
    }

    /// The error body and status of a ``ServiceError`` — the only way errors become responses.
    public static func error(_ error: ServiceError) -> APIResponse {
        json(error.status, error.jsonBody, headers: error.headers.map { (name: $0.0, value: $0.1) })
    }
}
