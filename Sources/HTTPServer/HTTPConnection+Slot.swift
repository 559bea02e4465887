import HTTPCore

extension HTTPConnection {
    /// One request's place in the HTTP/1.1 pipeline: its answer once the handler sent it, and
    /// what serializing and logging that answer need. Answers leave in slot order.
    struct Slot {
        /// The handler's answer; nil while the handler runs.
        var response: HTTPResponse?
        /// A HEAD request: the answer's body is left out.
        var isHead: Bool
        /// False when the connection closes after this answer: the request asked for it (or is
        /// HTTP/1.0 without keep-alive), or the answer is a transport error.
        var keepAlive: Bool
        /// The request's side of its access-log line; nil when no access log is installed.
        var logged: LoggedRequest?
        /// Body bytes held past the parser (gzip), released when this response is queued.
        var reservation: BodyReservation? = nil
    }

    /// What an access-log line needs of a request, kept until its answer is serialized.
    struct LoggedRequest {
        /// Empty for a transport error raised before a request was complete.
        var method: String
        var path: String
        var requestID: String?
        /// Request bytes on the wire (request line, headers, framed body).
        var bytesIn: Int
        /// When the request was complete, in `loop.now()` nanoseconds.
        var started: UInt64
    }
}
