import HTTPCore

/// Everything `HTTPServer` needs to bind and to defend itself. One `Sendable`
/// value, validated by the executable; every field has a default.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind: `127.0.0.1` (default), `0.0.0.0`, or an IPv6 literal such as `::1`.
    public var host: String
    /// Port to bind; 0 picks an ephemeral port (see `HTTPServer.boundPort`). Default 8080.
    public var port: Int
    /// Size limits of requests and of per-connection buffering (see `HTTPLimits`).
    public var limits: HTTPLimits
    /// Seconds from the first byte of a request head to its last (slowloris
    /// guard); also how long a new connection may stay silent. Expired with a
    /// partial head → 408 `request_timeout` then close; silent → close. Default 10.
    public var headerReadTimeout: Double
    /// Seconds without any body byte while a body is being read → 408 then close. Default 30.
    public var bodyReadTimeout: Double
    /// Seconds a keep-alive connection may wait for its next request before a
    /// silent close. Default 60.
    public var idleTimeout: Double
    /// Seconds without progress at the client's side while responses wait for it → abort.
    /// Progress is the client acknowledging more of our bytes (the kernel's `SIOCOUTQ`), so a
    /// steady slow reader is never cut off, and one that stopped reading is, even when the
    /// rest of its answer is already in the kernel's send queue. Default 30.
    public var writeTimeout: Double
    /// Open connections above which a new one gets an immediate 503
    /// `too_many_connections` with `Retry-After` and is closed. Default 4096.
    public var maxConnections: Int
    /// Responses with at least this many body bytes are gzipped when the request's
    /// `Accept-Encoding` allows gzip and the handler set no `Content-Encoding`.
    /// 0 or less disables response compression. Default 1024.
    public var gzipMinBytes: Int
    /// zlib level for responses (1 fastest … 9 smallest). Default 1.
    public var gzipLevel: Int
    /// Request bytes all connections together may hold before their requests are complete
    /// (heads and bodies being received), plus each body of 64 KiB or more (a gzip body's
    /// compressed and inflated bytes) until its response is queued. A connection whose read
    /// would pass it is answered 503 `server_busy` with `Retry-After` and closed; a body
    /// that would pass it once handed on (or inflated) gets the same 503 and the connection
    /// stays open. So many clients each sending up to `limits.maxBodyBytes`, or gzip bodies
    /// inflating to `limits.maxInflatedBodyBytes`, cannot exhaust memory. 0 or less: no
    /// limit. Default 512 MiB.
    public var maxBufferedRequestBytes: Int
    /// Response bytes all connections together may hold unsent (clients that do not read).
    /// A response of at least 64 KiB that would pass it is replaced by 503 `server_busy` with
    /// `Retry-After`, so a few small requests for large answers that are never read cannot
    /// pin gigabytes until `writeTimeout`. 0 or less: no limit. Default 512 MiB.
    public var maxBufferedResponseBytes: Int
    /// `Server` header value. Default `DenseServe/0.1`.
    public var serverName: String
    /// Serial I/O queues connections are spread over. Default: online CPUs (at least 1).
    public var ioQueueCount: Int
    /// `listen(2)` backlog. Default 1024.
    public var backlog: Int
    /// `Retry-After` seconds on the server's own 503 answers (`too_many_connections`,
    /// `server_busy`). Default 1.
    public var retryAfterSeconds: Int
    /// How the answer to a broken size limit (413, 414, 431) names the setting that raises
    /// it: the executable's configuration key and how to set it. A limit without an entry is
    /// named by its `HTTPLimits` property. Default: none.
    public var limitSettings: [HTTPLimits.Limit: LimitSetting] = [:]
    /// After a final response (`Connection: close`, errors) the server half-closes
    /// and discards input for up to this many seconds so the client reads the
    /// response instead of a reset. Default 2.
    public var lingerTimeout: Double
    /// HTTP/2 on the same port (see ``HTTP2Configuration``). Default: on, 100 streams.
    public var http2: HTTP2Configuration

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        limits: HTTPLimits = .default,
        headerReadTimeout: Double = 10,
        bodyReadTimeout: Double = 30,
        idleTimeout: Double = 60,
        writeTimeout: Double = 30,
        maxConnections: Int = 4096,
        maxBufferedRequestBytes: Int = 512 << 20,
        maxBufferedResponseBytes: Int = 512 << 20,
        gzipMinBytes: Int = 1024,
        gzipLevel: Int = 1,
        serverName: String = "DenseServe/0.1",
        ioQueueCount: Int = HTTPServerConfiguration.onlineCPUCount,
        backlog: Int = 1024,
        lingerTimeout: Double = 2,
        retryAfterSeconds: Int = 1,
        http2: HTTP2Configuration = HTTP2Configuration()
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.headerReadTimeout = headerReadTimeout
        self.bodyReadTimeout = bodyReadTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.maxConnections = maxConnections
        self.maxBufferedRequestBytes = maxBufferedRequestBytes
        self.maxBufferedResponseBytes = maxBufferedResponseBytes
        self.gzipMinBytes = gzipMinBytes
        self.gzipLevel = gzipLevel
        self.serverName = serverName
        self.ioQueueCount = ioQueueCount
        self.backlog = backlog
        self.lingerTimeout = lingerTimeout
        self.retryAfterSeconds = retryAfterSeconds
        self.http2 = http2
    }

    /// Online CPUs as reported by `sysconf`, at least 1.
    public static var onlineCPUCount: Int { Socket.onlineCPUCount }
}
