/// A complete request: head, body bytes and trailers.
public struct HTTPRequest: Sendable, Hashable {
    public var head: HTTPRequestHead
    /// The body, de-chunked. `HTTPServer` hands handlers the inflated body of a
    /// `Content-Encoding: gzip` request (and then removes that header).
    public var body: [UInt8]
    /// Trailer fields of a chunked body (empty otherwise). Never merged into `headers`.
    public var trailers: HTTPHeaders
    /// Set by `HTTPServer`: the peer address is 127.0.0.0/8 or ::1.
    public var remoteIsLoopback: Bool

    public init(
        head: HTTPRequestHead, body: [UInt8] = [], trailers: HTTPHeaders = HTTPHeaders(),
        remoteIsLoopback: Bool = false
    ) {
        self.head = head
        self.body = body
        self.trailers = trailers
        self.remoteIsLoopback = remoteIsLoopback
    }

    public var method: String { head.method }
    public var target: String { head.target }
    public var path: String { head.path }
    public var query: String? { head.query }
    public var version: HTTPVersion { head.version }
    public var keepAlive: Bool { head.keepAlive }
    public var headers: HTTPHeaders {
        get { head.headers }
        set { head.headers = newValue }
    }
}
