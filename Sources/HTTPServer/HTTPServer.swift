import Dispatch
import Glibc
import GzipCodec
@_exported import HTTPCore
import Synchronization

/// A strict HTTP/1.1 server on POSIX sockets and Dispatch.
///
/// Threads and queues: a non-blocking listener, watched by a `DispatchSourceRead`
/// on its own serial queue, accepts connections and spreads them round-robin over
/// `ioQueueCount` serial I/O queues. Each I/O queue owns an epoll set of its
/// connections, watched by one `DispatchSourceRead` targeting that queue; its
/// handler drains ready sockets with non-blocking reads and writes (EINTR
/// retried, EAGAIN waits for readiness, `MSG_NOSIGNAL`). Nothing ever blocks a
/// Dispatch thread on a socket. Each connection is a state machine confined to
/// its I/O queue (see `HTTPConnection`).
///
/// The handler is called on the connection's I/O queue (or, for gzip bodies
/// over 16 KiB, on an inflation queue after inflation): it must return quickly —
/// hop to your own queue for real work and call `HTTPResponder.send` from
/// there; trivial routes may call `send` synchronously inside the handler.
///
/// Every response carries `Content-Length` (except 1xx/204), `Date`, `Server`
/// and `Connection`. Transport errors (parse errors, timeouts, the connection
/// cap, encodings) are answered with `{"error":"<message>","code":"<code>"}` (see
/// `HTTPServerError`); parse errors and timeouts then close the connection.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    /// Called once per queued response (on an I/O queue); set through `init`. Nil: no logging work at all.
    public let accessLog: (@Sendable (HTTPAccessLogEntry) -> Void)?
    let core: ServerCore

    private struct Listener: ~Copyable {
        var acceptor: Acceptor?
        var port = 0
        var started = false
    }

    private let listener = Mutex(Listener())
    private let acceptQueue = DispatchQueue(label: "denseserve.http.accept", qos: .userInitiated)

    /// - Parameters:
    ///   - configuration: address, limits, timeouts, cap, gzip, queues.
    ///   - accessLog: optional per-response callback (see `HTTPAccessLogEntry`).
    ///   - handler: called once per complete request with a responder to call exactly once.
    public init(
        configuration: HTTPServerConfiguration,
        accessLog: (@Sendable (HTTPAccessLogEntry) -> Void)? = nil,
        handler: @escaping @Sendable (HTTPRequest, HTTPResponder) -> Void
    ) {
        self.configuration = configuration
        self.accessLog = accessLog
        self.core = ServerCore(configuration: configuration, accessLog: accessLog, handler: handler)
    }

    /// Binds, listens and starts accepting. Returns the bound port (the
    /// ephemeral one when `port` is 0).
    /// - Throws: `HTTPServerError.listenFailed`, `.invalidListenAddress`, `.alreadyStarted`.
    @discardableResult
    public func start() throws(HTTPServerError) -> Int {
        try listener.withLock { (l: inout Listener) throws(HTTPServerError) -> Int in
            guard !l.started else { throw .alreadyStarted }
            let (fd, port) = try Socket.listen(
                host: configuration.host, port: configuration.port, backlog: configuration.backlog)
            l.started = true
            l.port = port
            core.startLoops()
            let acceptor = Acceptor(fd: fd, core: core, queue: acceptQueue)
            l.acceptor = acceptor
            acceptQueue.async { acceptor.start() }
            return port
        }
    }

    /// A server released without `shutdown` stops accepting and closes its
    /// connections asynchronously (no grace).
    deinit {
        stopAccepting()
        for loop in core.loops {
            loop.queue.async { loop.stop() }
        }
    }

    /// The port bound by `start()`, or 0 before it.
    public var boundPort: Int { listener.withLock { $0.port } }

    /// Connections currently open (accepted and not yet closed).
    public var openConnectionCount: Int { core.openConnections.load(ordering: .relaxed) }

    /// Closes the listener: no new connections; open ones carry on. Idempotent.
    public func stopAccepting() {
        let acceptor = listener.withLock { l -> Acceptor? in
            defer { l.acceptor = nil }
            return l.acceptor
        }
        if let acceptor { acceptQueue.sync { acceptor.stop() } }
    }

    /// Graceful stop; blocks the caller (never call it on an I/O queue).
    /// Stops accepting, lets requests already received finish (their responses
    /// carry `Connection: close`), closes idle keep-alive connections at once,
    /// and returns when no connection is left or after `grace` seconds, when the
    /// rest are closed forcibly.
    public func shutdown(grace: Double) {
        stopAccepting()
        core.draining.store(true, ordering: .relaxed)
        for loop in core.loops { loop.queue.async { loop.beginDrain() } }
        let deadline = DispatchTime.now().uptimeNanoseconds + clampedNanoseconds(grace)
        var spins = 0
        while core.openConnections.load(ordering: .relaxed) > 0 && DispatchTime.now().uptimeNanoseconds < deadline
            && spins < 10_000_000
        {
            spins += 1
            usleep(2000)
        }
        for loop in core.loops {
            loop.queue.sync { loop.stop() }
        }
    }
}

/// State shared by the listener, the loops and every connection.
/// Immutable after init except for atomics; loops are confined to their queues.
final class ServerCore: Sendable {
    let configuration: HTTPServerConfiguration
    let accessLog: (@Sendable (HTTPAccessLogEntry) -> Void)?
    let handler: @Sendable (HTTPRequest, HTTPResponder) -> Void
    let loops: [IOLoop]
    let openConnections = Atomic<Int>(0)
    /// Request bytes held by all connections' parsers (see `maxBufferedRequestBytes`).
    let bufferedRequestBytes = Atomic<Int>(0)
    /// Unsent response bytes of all connections (see `maxBufferedResponseBytes`).
    let bufferedResponseBytes = Atomic<Int>(0)
    let draining = Atomic<Bool>(false)
    private let nextLoop = Atomic<Int>(0)
    /// Serial queues that inflate large gzip bodies, one per core: inflation is CPU work that
    /// must neither block an I/O queue nor grow without bound on the global queue. What waits
    /// here is held in memory, so it is reserved against the request-byte budget first.
    private let inflationQueues: [DispatchQueue]
    private let nextInflationQueue = Atomic<Int>(0)

    let gzipEnabled: Bool
    let serverName: String
    let serverLine: [UInt8]
    let headerTimeoutNs: UInt64
    let bodyTimeoutNs: UInt64
    let idleTimeoutNs: UInt64
    let writeTimeoutNs: UInt64
    let rejectionBytes: [UInt8]

    static let connectionKeepAlive: [UInt8] = Array("Connection: keep-alive\r\n".utf8)
    static let connectionClose: [UInt8] = Array("Connection: close\r\n".utf8)
    static let datePrefix: [UInt8] = Array("Date: ".utf8)
    static let continueBytes: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    init(
        configuration: HTTPServerConfiguration, accessLog: (@Sendable (HTTPAccessLogEntry) -> Void)?,
        handler: @escaping @Sendable (HTTPRequest, HTTPResponder) -> Void
    ) {
        self.configuration = configuration
        self.accessLog = accessLog
        self.handler = handler
        loops = (0..<max(1, configuration.ioQueueCount)).map { IOLoop(index: $0) }
        inflationQueues = (0..<Socket.onlineCPUCount).map {
            DispatchQueue(label: "denseserve.http.inflate.\($0)", qos: .userInitiated)
        }
        gzipEnabled = configuration.gzipMinBytes > 0
        let name = HTTPResponseSerializer.isValidFieldValue(configuration.serverName) ? configuration.serverName : "DenseServe"
        serverName = name
        serverLine = Array("Server: \(name)\r\n".utf8)
        func ns(_ s: Double) -> UInt64 { clampedNanoseconds(s, floor: 0.001) }
        headerTimeoutNs = ns(configuration.headerReadTimeout)
        bodyTimeoutNs = ns(configuration.bodyReadTimeout)
        idleTimeoutNs = ns(configuration.idleTimeout)
        writeTimeoutNs = ns(configuration.writeTimeout)
        var bytes: [UInt8] = []
        HTTPResponseSerializer.serialize(
            HTTPServerError.tooManyConnections.response(retryAfterSeconds: configuration.retryAfterSeconds), into: &bytes
        ) { o in
            o.append(contentsOf: ServerCore.connectionClose)
            o.append(contentsOf: Array("Date: ".utf8) + HTTPDateCache.format(time(nil)) + [13, 10])
            o.append(contentsOf: Array("Server: \(name)\r\n".utf8))
        }
        rejectionBytes = bytes
    }

    func startLoops() {
        let c = configuration
        let shortest = min(c.headerReadTimeout, c.bodyReadTimeout, c.idleTimeout, c.writeTimeout, max(c.lingerTimeout, 0.01))
        let interval = shortest.isNaN ? 0.25 : min(max(shortest / 4, 0.005), 0.25)
        for loop in loops {
            loop.start(sweepInterval: interval)
        }
    }

    /// The next inflation queue, round-robin.
    func inflationQueue() -> DispatchQueue {
        inflationQueues[nextInflationQueue.add(1, ordering: .relaxed).oldValue % inflationQueues.count]
    }

    func connectionClosed() {
        openConnections.subtract(1, ordering: .relaxed)
    }

    /// Takes one accepted descriptor: cap check, then hand-off to a loop. On the accept queue.
    func adopt(_ fd: Int32, address: sockaddr_storage) {
        Socket.configureAccepted(fd)
        if draining.load(ordering: .relaxed) {
            close(fd)
            return
        }
        if openConnections.load(ordering: .relaxed) >= configuration.maxConnections {
            reject(fd)
            return
        }
        openConnections.add(1, ordering: .relaxed)
        let loop = loops[nextLoop.add(1, ordering: .relaxed).oldValue % loops.count]
        let connection = HTTPConnection(core: self, loop: loop, fd: fd, remoteIsLoopback: Socket.isLoopback(address))
        loop.queue.async { connection.start() }
    }

    /// Over the cap: a quick 503 with `Retry-After`, half-close, drain what
    /// already arrived (so the close does not reset the 503 away), close.
    func reject(_ fd: Int32) {
        Socket.sendNow(fd, rejectionBytes)
        shutdown(fd, Int32(SHUT_WR))
        var scratch = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<16 {
            let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n <= 0 { break }
        }
        close(fd)
    }

    // MARK: Bodies and responses

    /// The server's own answer to `error`, with the configured `Retry-After` on a 503, and
    /// for a broken size limit its configured value and the setting that raises it.
    func response(for error: HTTPServerError) -> HTTPResponse {
        error.response(
            retryAfterSeconds: configuration.retryAfterSeconds, limits: configuration.limits, settings: configuration.limitSettings)
    }

    /// Inflates a gzip request body (capped, every allocation reserved against the request-byte
    /// budget), then calls the handler; answers 413/400/503 itself.
    func inflateAndHandle(_ request: HTTPRequest, _ responder: HTTPResponder, reservation: BodyReservation) {
        switch Gzip.inflate(request.body, limit: configuration.limits.maxInflatedBodyBytes, reserve: reservation.reserve) {
        case .failure(.tooLarge):
            responder.send(response(for: .inflatedBodyTooLarge))
        case .failure(.invalid):
            responder.send(response(for: .invalidGzipBody))
        case .failure(.overBudget):
            responder.send(response(for: .requestBytesBudgetExhausted))
        case .success(let body):
            var inflated = request
            inflated.body = body
            inflated.headers.remove(name: "Content-Encoding")
            if inflated.headers.contains("Content-Length") {
                inflated.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
            }
            handler(inflated, responder)
        }
    }

    /// Response compression (on the caller's thread): gzip when accepted, big
    /// enough, compressible, and not already encoded; `Vary: Accept-Encoding`
    /// whenever the size made the response eligible.
    func prepareResponse(_ response: HTTPResponse, acceptsGzip: Bool) -> HTTPResponse {
        guard gzipEnabled, response.body.count >= configuration.gzipMinBytes,
            !HTTPStatus.forbidsBody(response.status), !response.headers.contains("Content-Encoding"),
            // gRPC compresses per message (`grpc-encoding`), never the whole stream.
            !(response.headers["Content-Type"]?.hasPrefix("application/grpc") ?? false)
        else { return response }
        var r = response
        if !r.headers.contains("Vary") { r.headers.add(name: "Vary", value: "Accept-Encoding") }
        if acceptsGzip, let z = Gzip.deflate(r.body, level: configuration.gzipLevel), z.count < r.body.count {
            r.body = z
            r.headers.add(name: "Content-Encoding", value: "gzip")
        }
        return r
    }

    /// Whether `Accept-Encoding` allows gzip: `gzip`/`x-gzip` or `*` with q > 0,
    /// unless gzip is explicitly q=0.
    static func acceptsGzip(_ headers: HTTPHeaders) -> Bool {
        var gzipQ: Double?
        var starQ: Double?
        for field in headers where field.name.utf8.count == 15 && equalsIgnoringASCIICase(field.name, "accept-encoding") {
            for element in field.value.split(separator: ",") {
                let parts = element.split(separator: ";")
                guard let first = parts.first else { continue }
                let coding = first.trimmingSpaces().lowercased()
                var q = 1.0
                for p in parts.dropFirst() {
                    let kv = p.trimmingSpaces()
                    if kv.lowercased().hasPrefix("q=") { q = Double(kv.dropFirst(2)) ?? 0 }
                }
                if coding == "gzip" || coding == "x-gzip" { gzipQ = max(gzipQ ?? 0, q) }
                if coding == "*" { starQ = q }
            }
        }
        if let g = gzipQ { return g > 0 }
        return (starQ ?? 0) > 0
    }
}

/// The listening socket's read source.
///
/// Safety of `@unchecked Sendable`: `source` and `paused` are touched only on `queue`.
final class Acceptor: @unchecked Sendable {
    let fd: Int32
    let core: ServerCore
    let queue: DispatchQueue
    private var source: DispatchSourceRead?
    private var paused = false

    init(fd: Int32, core: ServerCore, queue: DispatchQueue) {
        self.fd = fd
        self.core = core
        self.queue = queue
    }

    func start() {
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        let fd = self.fd
        source.setEventHandler { [self] in ready() }  // cycle broken by stop()
        source.setCancelHandler { close(fd) }
        self.source = source
        source.resume()
    }

    func stop() {
        guard let source else { return }
        self.source = nil
        source.cancel()
        if paused {
            paused = false
            source.resume()
        }
    }

    /// Accepts until EAGAIN (at most 256 per event).
    private func ready() {
        for _ in 0..<256 {
            var storage = sockaddr_storage()
            var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(self.fd, $0, &len) }
            }
            if fd >= 0 {
                core.adopt(fd, address: storage)
                continue
            }
            switch errno {
            case EINTR, ECONNABORTED:
                continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                // Out of descriptors: pause accepting briefly instead of spinning.
                guard let source, !paused else { return }
                paused = true
                source.suspend()
                queue.asyncAfter(deadline: .now() + .milliseconds(100)) { [self] in
                    if paused, let s = self.source {
                        paused = false
                        s.resume()
                    }
                }
                return
            default:
                return  // EAGAIN or a closed listener
            }
        }
    }
}
