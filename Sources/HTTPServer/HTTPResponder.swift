import Dispatch
import HTTPCore

/// Answers one request. Call ``send(_:)`` exactly once, from any thread, now or
/// later; responses of pipelined requests go out in request order whatever the
/// order of the `send` calls. Extra calls are ignored. A responder that is never
/// called leaves its connection waiting (no timeout applies while the handler runs).
public struct HTTPResponder: Sendable {
    let connection: HTTPConnection
    /// HTTP/1.1: the request's place in the connection's pipeline; HTTP/2: its stream id.
    let sequence: Int
    let acceptsGzip: Bool
    /// HTTP/2 only: set when the stream is reset or closed.
    let stream: HTTP2StreamCancellation?

    init(connection: HTTPConnection, sequence: Int, acceptsGzip: Bool, stream: HTTP2StreamCancellation? = nil) {
        self.connection = connection
        self.sequence = sequence
        self.acceptsGzip = acceptsGzip
        self.stream = stream
    }

    /// Whether the client closed its connection (or the connection was closed), or reset the
    /// request's HTTP/2 stream, while this request was unanswered: work for it that has not
    /// started can be skipped.
    public var isAbandoned: Bool { connection.abandoned.load(ordering: .relaxed) || stream?.isCancelled == true }

    /// Queues `response`. The server adds `Content-Length`, `Date`, `Server`
    /// and `Connection`, drops the body for HEAD, and gzips the body (on the
    /// calling thread) when the client accepts gzip, the body has at least
    /// `gzipMinBytes` bytes, and the handler set no `Content-Encoding`. A handler
    /// `Connection: close` closes the connection after this response.
    public func send(_ response: HTTPResponse) {
        let prepared = connection.core.prepareResponse(response, acceptsGzip: acceptsGzip)
        let connection = self.connection
        let sequence = self.sequence
        if stream != nil {
            let id = Int32(truncatingIfNeeded: sequence)
            if connection.loop.isCurrent {
                connection.completeStream(id, prepared)
            } else {
                connection.loop.queue.async { connection.completeStream(id, prepared) }
            }
        } else if connection.loop.isCurrent {
            connection.complete(sequence, prepared)
        } else {
            connection.loop.queue.async { connection.complete(sequence, prepared) }
        }
    }
}
