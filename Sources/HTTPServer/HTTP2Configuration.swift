/// The HTTP/2 side of `HTTPServer`: connections that open with the HTTP/2 preface
/// (`PRI * HTTP/2.0…`, "prior knowledge" cleartext h2c) on the same port as HTTP/1.1.
///
/// Every HTTP/1.1 limit applies to each stream too: `HTTPLimits.maxHeaderBytes` and
/// `maxHeaderCount` to its header list (counted as nghttp2 decodes it, since the advertised
/// `SETTINGS_MAX_HEADER_LIST_SIZE` is not enforced by the library), `maxBodyBytes` to its
/// body, `maxBufferedRequestBytes` / `maxBufferedResponseBytes` to the bytes it holds, and
/// the header, body, idle and write timeouts to the connection (each ends in GOAWAY).
public struct HTTP2Configuration: Sendable, Hashable {
    /// Serve HTTP/2. Off: the preface is answered 505 as by an HTTP/1.1-only server. Default on.
    public var enabled: Bool
    /// `SETTINGS_MAX_CONCURRENT_STREAMS`: open streams per connection. A stream beyond it is
    /// refused with `REFUSED_STREAM` before the client acknowledged the setting; after that,
    /// libnghttp2 1.52 ends the connection with GOAWAY `PROTOCOL_ERROR` (RFC 9113 §5.1.2 asks
    /// for a stream error; the client broke a limit it acknowledged). Default 100.
    public var maxConcurrentStreams: Int
    /// Streams per connection handed to the handler and not yet answered, streams the client
    /// reset included (their work may already be on a worker): at the cap the server stops
    /// reading the connection, so rapid resets cannot pile work up. Default 100.
    public var maxDispatchedStreams: Int
    /// `SETTINGS_INITIAL_WINDOW_SIZE`: request bytes a stream may send ahead. Default 1 MiB.
    public var streamWindowBytes: Int
    /// The connection's receive window: request bytes of all streams in flight. Default 16 MiB.
    public var connectionWindowBytes: Int
    /// Seconds after which a connection is asked to go away (GOAWAY `NO_ERROR`, streams in
    /// flight finish), ±10 % jitter, so long-lived HTTP/2 connections rebalance across
    /// replicas behind an L4 load balancer. 0: no limit (default).
    public var maxConnectionAge: Double

    public init(
        enabled: Bool = true, maxConcurrentStreams: Int = 100, maxDispatchedStreams: Int = 100,
        streamWindowBytes: Int = 1 << 20, connectionWindowBytes: Int = 16 << 20, maxConnectionAge: Double = 0
    ) {
        self.enabled = enabled
        self.maxConcurrentStreams = maxConcurrentStreams
        self.maxDispatchedStreams = maxDispatchedStreams
        self.streamWindowBytes = streamWindowBytes
        self.connectionWindowBytes = connectionWindowBytes
        self.maxConnectionAge = maxConnectionAge
    }
}
