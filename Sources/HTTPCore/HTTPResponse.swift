/// A response to serialize: status, header fields, body.
///
/// `Content-Length`, `Transfer-Encoding` and `Connection` set here are ignored
/// by the serializer, which writes its own framing (see ``HTTPResponseSerializer``).
public struct HTTPResponse: Sendable, Hashable {
    /// Status code, 100…999 (see ``HTTPStatus``).
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Trailer fields after the body (gRPC's `grpc-status`). Sent over HTTP/2 only; the
    /// HTTP/1.1 serializer, which frames by `Content-Length`, leaves them out.
    public var trailers: HTTPHeaders

    public init(status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], trailers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.headers = headers
        self.body = body
        self.trailers = trailers
    }

    /// A response whose body is the UTF-8 of `text`.
    public init(status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), text: String) {
        self.init(status: status, headers: headers, body: Array(text.utf8))
    }
}
