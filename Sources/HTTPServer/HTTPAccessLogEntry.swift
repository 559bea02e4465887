/// One completed response, handed to `HTTPServer.accessLog` on the connection's
/// I/O queue right after the response is queued for writing (keep the callback cheap).
public struct HTTPAccessLogEntry: Sendable, Hashable {
    /// Request method; empty for transport errors raised before a request was complete.
    public var method: String
    /// Request path (no query); empty for transport errors before a complete request.
    public var path: String
    public var status: Int
    /// Request bytes on the wire (request line, headers, framed body).
    public var bytesIn: Int
    /// Response bytes queued (status line, headers, body as sent).
    public var bytesOut: Int
    /// Seconds from the complete request to its response being queued.
    public var durationSeconds: Double
    /// The request's `X-Request-Id`, if it sent one.
    public var requestID: String?
    /// The response's `X-Request-Id`, if the handler set one.
    public var responseRequestID: String?
    public var remoteIsLoopback: Bool
    /// The response's `grpc-status` (a trailer, or a header of a Trailers-Only response) when
    /// it carried a valid one: a gRPC call's outcome, which `status` (200) does not tell.
    public var grpcStatus: Int?

    public init(
        method: String, path: String, status: Int, bytesIn: Int, bytesOut: Int, durationSeconds: Double,
        requestID: String?, responseRequestID: String?, remoteIsLoopback: Bool, grpcStatus: Int? = nil
    ) {
        self.method = method
        self.path = path
        self.status = status
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.durationSeconds = durationSeconds
        self.requestID = requestID
        self.responseRequestID = responseRequestID
        self.remoteIsLoopback = remoteIsLoopback
        self.grpcStatus = grpcStatus
    }
}
