/// What the transport knows of a request that the request itself does not carry. (Whether
/// the peer is loopback is on the request: `HTTPRequest.remoteIsLoopback`, set by the server.)
public struct RequestContext: Sendable {
    /// Whether the client has gone (closed its connection, reset its HTTP/2 stream) with this
    /// request unanswered; work for it that has not started yet is then skipped. Asked from
    /// any thread, possibly more than once. No default: a front end must not forget it.
    public var isAbandoned: @Sendable () -> Bool

    public init(isAbandoned: @escaping @Sendable () -> Bool) {
        self.isAbandoned = isAbandoned
    }
}
