import CZlib
import Dispatch
import Glibc
import HTTPCore
import Synchronization

/// One accepted socket: an explicit state machine confined to its I/O loop.
///
/// Phases: `open` (reading, parsing, dispatching, writing in order) →
/// `closingAfterWrite` (a final response is queued: no more parsing) →
/// `lingering` (write side shut down, input discarded until EOF or
/// `lingerTimeout`) → `closed`. Idle, write and linger timeouts close silently;
/// header and body timeouts answer 408 first.
///
/// Flow control: a request is parsed only while fewer than
/// `limits.maxPipelinedRequests` are unanswered and fewer than
/// `limits.maxPendingOutputBytes` wait for the socket; otherwise read interest is
/// dropped from the epoll set and the kernel's TCP window pushes back on the client.
///
/// Safety of `@unchecked Sendable`: every `var` is read and written only on
/// `loop.queue` (responders hop there before touching it).
final class HTTPConnection: @unchecked Sendable {
    enum Phase { case open, closingAfterWrite, lingering, closed }
    /// `write`: our buffer holds output the client is slow to take; `drain`: only the kernel's
    /// send queue does (checked when the idle deadline passes).
    /// `age`: an HTTP/2 connection's `maxConnectionAge` (GOAWAY, then finish).
    enum DeadlineKind { case none, fresh, idle, header, body, write, drain, linger, age }

    struct Slot {
        var response: HTTPResponse?
        var isHead: Bool
        var keepAlive: Bool
        var forceClose: Bool
        var bytesIn: Int
        var started: UInt64
        var method: String
        var path: String
        var requestID: String?
        /// Body bytes held past the parser (gzip), released when this response is queued.
        var reservation: BodyReservation? = nil
    }

    let core: ServerCore
    let loop: IOLoop
    let fd: Int32
    let remoteIsLoopback: Bool
    /// Set (from this loop) when the client's end of file arrives while requests are still
    /// unanswered, or the connection closes; read from any thread (`HTTPResponder.isAbandoned`).
    let abandoned = Atomic<Bool>(false)
    private var limits: HTTPLimits { core.configuration.limits }

    private var parser: HTTPRequestParser
    /// Tag of this connection's epoll registration (rejects stale events after fd reuse).
    private(set) var tag: UInt32 = 0
    private var wantRead = true
    private var wantWrite = false

    private var out: [UInt8] = []
    private var outStart = 0
    private var slots: [Slot] = []
    private var slotBase = 0
    private var nextSequence = 0
    private var continuePending = false
    private var stopParsing = false
    private(set) var phase = Phase.open
    private var readEOF = false
    private var draining = false
    private var processing = false
    private var servedAny = false
    private var lingerBytes = 0
    private var consumedAtLastRequest = 0
    /// This connection's share of `core.bufferedRequestBytes`.
    private var accountedBytes = 0
    /// This connection's share of `core.bufferedResponseBytes`.
    private var accountedOutput = 0
    private var lastCompleted = 0

    private(set) var deadline: UInt64 = 0
    private var deadlineKind = DeadlineKind.none
    private var requestStart: UInt64 = 0
    private var lastRead: UInt64 = 0
    private var lastActivity: UInt64 = 0
    /// When the client last made write-side progress: a `send` that took bytes, or more of our
    /// bytes acknowledged by the client than at the previous check.
    private var lastWrite: UInt64 = 0
    /// Bytes handed to the kernel so far, and how many of them the client had acknowledged at
    /// the last check (`bytesSent` minus the kernel's `SIOCOUTQ`).
    private var bytesSent = 0
    private var ackedAtCheck = 0

    /// Whether the first bytes decided between HTTP/1.1 and HTTP/2 yet.
    private var protocolChosen = false
    /// The first bytes while they may still be the HTTP/2 preface (at most 24).
    private var prefaceBytes: [UInt8] = []
    /// The HTTP/2 session, once the preface arrived: then it, not the parser, reads the bytes.
    private var h2: HTTP2Session?
    /// When an HTTP/2 connection is asked to go away (`maxConnectionAge`); 0: never.
    private var ageDeadline: UInt64 = 0

    init(core: ServerCore, loop: IOLoop, fd: Int32, remoteIsLoopback: Bool) {
        self.core = core
        self.loop = loop
        self.fd = fd
        self.remoteIsLoopback = remoteIsLoopback
        self.parser = HTTPRequestParser(limits: core.configuration.limits)
    }

    // MARK: Lifecycle

    /// Registers with the loop and starts reading. On `loop.queue`.
    func start() {
        loop.connections[ObjectIdentifier(self)] = self
        let now = loop.now()
        lastActivity = now
        guard !loop.draining, let tag = loop.register(self, fd: fd) else {
            finalClose()
            return
        }
        self.tag = tag
        updateDeadline(now)
    }

    /// Closes now: leaves the epoll set, closes the descriptor, unregisters,
    /// releases buffers. Idempotent.
    func finalClose() {
        guard phase != .closed else { return }
        phase = .closed
        abandoned.store(true, ordering: .relaxed)
        deadline = 0
        deadlineKind = .none
        if tag != 0 { loop.unregister(fd: fd) }
        close(fd)
        loop.connections[ObjectIdentifier(self)] = nil
        releaseSlots()
        h2?.close()
        h2 = nil
        out = []
        outStart = 0
        parser = HTTPRequestParser(limits: limits)
        account(0)
        accountOutput()
        core.connectionClosed()
    }

    /// Readiness from the loop's epoll set.
    func handle(events: UInt32) {
        let broken = events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
        if broken && !wantRead && !wantWrite {
            finalClose()
            return
        }
        if wantRead && (events & EPOLLIN.rawValue != 0 || broken) { onReadable() }
        if phase != .closed && wantWrite && (events & EPOLLOUT.rawValue != 0 || broken) { onWritable() }
    }

    private func applyInterest(read: Bool, write: Bool) {
        guard read != wantRead || write != wantWrite else { return }
        wantRead = read
        wantWrite = write
        guard phase != .closed, tag != 0 else { return }
        loop.setInterest(fd: fd, tag: tag, read: read, write: write)
    }

    /// Server shutdown: finish what was received, close when idle.
    func beginDrain() {
        guard phase != .closed else { return }
        draining = true
        if let h2 {
            drainHTTP2(h2)
            return
        }
        advance(now: loop.now())
    }

    // MARK: Reading

    private func onReadable() {
        guard phase != .closed else { return }
        let buffer = loop.readBuffer
        var n: Int
        repeat {
            n = recv(fd, buffer.baseAddress, buffer.count, 0)
        } while n < 0 && errno == EINTR
        if n < 0 {
            let e = errno
            if e == EAGAIN || e == EWOULDBLOCK { return }
            finalClose()
            return
        }
        if phase == .lingering {
            lingerBytes += n
            if n == 0 || lingerBytes > (1 << 20) { finalClose() }
            return
        }
        let now = loop.now()
        if h2 != nil || !protocolChosen {
            if n == 0 {
                // An HTTP/2 client does not half-close: it has gone.
                readEOF = true
                abandoned.store(true, ordering: .relaxed)
                if h2 != nil || prefaceBytes.isEmpty {
                    finalClose()
                    return
                }
            } else {
                lastRead = now
                lastActivity = now
            }
            if let h2 {
                receiveHTTP2(h2, UnsafeRawBufferPointer(start: buffer.baseAddress, count: n), now: now)
                return
            }
            if !chooseProtocol(UnsafeRawBufferPointer(start: buffer.baseAddress, count: n), now: now) { return }
        }
        if n == 0 {
            readEOF = true
            // A client that closes with answers outstanding has almost always gone (a load
            // generator stopping, a proxy giving up): work not started yet is skipped, as nginx
            // aborts such requests. The answers already computed are still written.
            if !slots.isEmpty { abandoned.store(true, ordering: .relaxed) }
            suspendReading()
            advance(now: now)
            return
        }
        lastRead = now
        lastActivity = now
        if !parser.hasPartialRequest { requestStart = now }
        parser.feed(UnsafeRawBufferPointer(start: buffer.baseAddress, count: n))
        advance(now: now)
    }

    /// Tells HTTP/1.1 from HTTP/2 by the first bytes (the 24-byte preface). Returns true when
    /// the bytes just read are for the HTTP/1.1 parser; false when they were taken here (kept
    /// as a possible preface, or handed to a new HTTP/2 session).
    private func chooseProtocol(_ bytes: UnsafeRawBufferPointer, now: UInt64) -> Bool {
        guard core.configuration.http2.enabled else {
            protocolChosen = true
            return true
        }
        if prefaceBytes.isEmpty && bytes.first != HTTP2Session.preface[0] {
            protocolChosen = true  // the common case: no copy
            return true
        }
        prefaceBytes.append(contentsOf: bytes)
        let match = prefaceBytes.withUnsafeBytes { HTTP2Session.matchPreface($0) }
        switch match {
        case .partial where !readEOF:
            requestStart = now
            advance(now: now)
            return false
        case .http1, .partial:
            protocolChosen = true
            let held = prefaceBytes
            prefaceBytes = []
            if !parser.hasPartialRequest { requestStart = now }
            held.withUnsafeBytes { parser.feed($0) }
            if readEOF {
                suspendReading()
            }
            advance(now: now)
            return false
        case .http2:
            protocolChosen = true
            let held = prefaceBytes
            prefaceBytes = []
            guard let session = HTTP2Session(connection: self) else {
                finalClose()
                return false
            }
            h2 = session
            let age = core.configuration.http2.maxConnectionAge
            if age > 0 && age.isFinite {
                // ±10 % jitter, so connections opened together do not all go away together.
                ageDeadline = now + clampedNanoseconds(age * Double.random(in: 0.9...1.1))
            }
            held.withUnsafeBytes { receiveHTTP2(session, $0, now: now) }
            return false
        }
    }

    /// Sets this connection's share of the server-wide request bytes to `held`. Returns false
    /// (keeping the share) when growing to `held` would pass `maxBufferedRequestBytes`.
    @discardableResult
    private func account(_ held: Int) -> Bool {
        let delta = held - accountedBytes
        guard delta != 0 else { return true }
        let total = core.bufferedRequestBytes.add(delta, ordering: .relaxed).newValue
        let limit = core.configuration.maxBufferedRequestBytes
        if delta > 0 && limit > 0 && total > limit {
            core.bufferedRequestBytes.subtract(delta, ordering: .relaxed)
            return false
        }
        accountedBytes = held
        return true
    }

    private func suspendReading() { applyInterest(read: false, write: wantWrite) }

    private func resumeReading() { applyInterest(read: true, write: wantWrite) }

    private var pendingOutput: Int { out.count - outStart }

    private var canParse: Bool {
        slots.count < max(limits.maxPipelinedRequests, 1) && pendingOutput < max(limits.maxPendingOutputBytes, 1)
            && !(draining && !slots.isEmpty)
    }

    /// Parses and dispatches what flow control allows, then re-decides reading
    /// and deadlines. Re-entrant calls (a handler answering synchronously) return
    /// at once; the outer call picks up their effects.
    func advance(now: UInt64) {
        guard !processing, phase != .closed else { return }
        if let h2 {
            advanceHTTP2(h2, now: now)
            return
        }
        processing = true
        defer { processing = false }
        parsing: while phase == .open && !stopParsing && canParse {
            let event: HTTPParserEvent?
            do {
                event = try parser.next()
            } catch {
                queueError(.parse(error), now: now)
                break
            }
            guard let event else { break }
            switch event {
            case .expectContinue(let head):
                if contentEncoding(of: head.headers) == .unsupported {
                    queueError(.unsupportedContentEncoding, now: now)
                    break parsing
                }
                continuePending = true
                flush()
            case .request(let request):
                dispatch(request, now: now)
            }
        }
        guard phase != .closed else { return }
        if !account(stopParsing ? 0 : parser.heldByteCount) && !stopParsing {
            // Over the server-wide budget: this connection grew last, it gets the 503.
            queueError(.requestBytesBudgetExhausted, now: now)
            parser = HTTPRequestParser(limits: limits)
            account(0)
        }
        if parser.completedRequests != lastCompleted {
            lastCompleted = parser.completedRequests
            if parser.hasPartialRequest { requestStart = now }
        }
        if phase == .open && slots.isEmpty && pendingOutput == 0 {
            if readEOF {
                if parser.hasPartialRequest && !stopParsing {
                    queueError(.incompleteRequest, now: now)
                } else {
                    finalClose()
                    return
                }
            } else if draining && !parser.hasPartialRequest {
                finalClose()
                return
            }
        }
        guard phase != .closed else { return }
        if phase == .lingering || (phase == .open && !readEOF && !stopParsing && !parser.isClosed && canParse) {
            resumeReading()
        } else {
            suspendReading()
        }
        updateDeadline(now)
    }

    // MARK: Dispatch

    private enum ContentEncoding { case identity, gzip, unsupported }

    private func contentEncoding(of headers: HTTPHeaders) -> ContentEncoding {
        var result = ContentEncoding.identity
        for field in headers where field.name.utf8.count == 16 && equalsIgnoringASCIICase(field.name, "content-encoding") {
            for coding in field.value.split(separator: ",") {
                let c = coding.trimmingSpaces().lowercased()
                switch c {
                case "", "identity": continue
                case "gzip", "x-gzip":
                    if result == .gzip { return .unsupported }  // gzip applied twice
                    result = .gzip
                default: return .unsupported
                }
            }
        }
        return result
    }

    private func dispatch(_ parsed: HTTPRequest, now: UInt64) {
        var request = parsed
        request.remoteIsLoopback = remoteIsLoopback
        continuePending = false
        let sequence = nextSequence
        nextSequence += 1
        let consumed = parser.consumedBytes
        let bytesIn = consumed - consumedAtLastRequest
        consumedAtLastRequest = consumed
        let logging = core.accessLog != nil
        slots.append(
            Slot(
                response: nil, isHead: request.method == "HEAD", keepAlive: request.keepAlive, forceClose: false,
                bytesIn: bytesIn, started: logging ? now : 0, method: logging ? request.method : "",
                path: logging ? request.path : "", requestID: logging ? request.headers["x-request-id"] : nil))
        let responder = HTTPResponder(
            connection: self, sequence: sequence,
            acceptsGzip: core.gzipEnabled && ServerCore.acceptsGzip(request.headers))
        // The body leaves the parser here, and with it the parser's share of the budget:
        // give that back first, so the reservation below never counts the same bytes twice.
        account(parser.heldByteCount)
        let slot = slots.count - 1
        if let error = handOff(request, responder, holding: { slots[slot].reservation = $0 }) {
            complete(sequence, core.response(for: error))
        }
    }

    /// Hands a complete request (of either protocol) to the handler, inflating a gzip body.
    /// `holding` receives the reservation that keeps a large body counted until its answer is
    /// queued, before the handler runs (it may answer at once). Returns the error to answer
    /// instead when the request cannot be handed on.
    func handOff(_ request: HTTPRequest, _ responder: HTTPResponder, holding: (BodyReservation) -> Void) -> HTTPServerError? {
        switch contentEncoding(of: request.headers) {
        case .identity:
            // A large body stays counted until its answer is queued: otherwise one connection
            // could hand `maxPipelinedRequests` bodies of `maxBodyBytes` to handlers unseen.
            if request.body.count >= 64 << 10 {
                let reservation = BodyReservation(core: core)
                holding(reservation)
                guard reservation.reserve(request.body.count) else { return .requestBytesBudgetExhausted }
            }
            core.handler(request, responder)
        case .unsupported:
            return .unsupportedContentEncoding
        case .gzip:
            // The reservation keeps the compressed body, then the inflated bytes, within the
            // server-wide request-byte budget.
            let reservation = BodyReservation(core: core)
            holding(reservation)
            guard reservation.reserve(request.body.count) else { return .requestBytesBudgetExhausted }
            if request.body.count <= 16 * 1024 {
                core.inflateAndHandle(request, responder, reservation: reservation)
            } else {
                // Large bodies inflate off the I/O queue; the handler then runs there too.
                let core = self.core
                let compressed = request
                core.inflationQueue().async { core.inflateAndHandle(compressed, responder, reservation: reservation) }
            }
        }
        return nil
    }

    // MARK: Writing

    /// Stores a response and writes every response that is next in order. On `loop.queue`.
    func complete(_ sequence: Int, _ response: HTTPResponse) {
        guard phase == .open else { return }
        let index = sequence - slotBase
        guard index >= 0, index < slots.count, slots[index].response == nil else { return }
        slots[index].response = response
        let now = loop.now()
        lastActivity = now
        flush()
        advance(now: now)
    }

    private func queueError(_ error: HTTPServerError, now: UInt64) {
        stopParsing = true
        continuePending = false
        nextSequence += 1
        slots.append(
            Slot(
                response: core.response(for: error), isHead: false, keepAlive: false,
                forceClose: true,
                bytesIn: parser.consumedBytes - consumedAtLastRequest, started: now, method: "", path: "",
                requestID: nil))
        flush()
    }

    /// Serializes the responses that are next in order, then writes.
    private func flush() {
        if outStart > 0 && outStart * 2 >= out.count {
            out.removeSubrange(0..<outStart)
            outStart = 0
        }
        while phase == .open, let first = slots.first, var response = first.response {
            slots.removeFirst()
            first.reservation?.release()
            slotBase += 1
            if !first.isHead && !admitsOutput(response.body.count) {
                response = core.response(for: .responseBytesBudgetExhausted)
            }
            let close = serialize(response, slot: first)
            if close {
                phase = .closingAfterWrite
                stopParsing = true
                slotBase += slots.count
                releaseSlots()
                break
            }
        }
        if phase == .open && continuePending && slots.isEmpty {
            out.append(contentsOf: ServerCore.continueBytes)
            continuePending = false
        }
        write()
    }

    /// Drops every unanswered slot, returning the body bytes they held to the budget.
    private func releaseSlots() {
        for slot in slots { slot.reservation?.release() }
        slots.removeAll()
    }

    /// Appends one response; returns whether the connection closes after it.
    private func serialize(_ response: HTTPResponse, slot: Slot) -> Bool {
        var hasDate = false
        var hasServer = false
        var handlerClose = false
        var responseRequestID: String?
        for field in response.headers {
            switch field.name.utf8.count {
            case 4 where equalsIgnoringASCIICase(field.name, "date"): hasDate = true
            case 6 where equalsIgnoringASCIICase(field.name, "server"): hasServer = true
            case 10 where equalsIgnoringASCIICase(field.name, "connection"):
                if field.value.lowercased().contains("close") { handlerClose = true }
            case 12 where core.accessLog != nil && equalsIgnoringASCIICase(field.name, "x-request-id"): responseRequestID = field.value
            default: break
            }
        }
        let close = !slot.keepAlive || slot.forceClose || draining || handlerClose
        let before = out.count
        let serverLine = core.serverLine
        HTTPResponseSerializer.serialize(response, omitBody: slot.isHead, into: &out) { o in
            o.append(contentsOf: close ? ServerCore.connectionClose : ServerCore.connectionKeepAlive)
            if !hasDate {
                o.append(contentsOf: ServerCore.datePrefix)
                o.append(contentsOf: loop.dateCache.current())
                o.append(13)
                o.append(10)
            }
            if !hasServer { o.append(contentsOf: serverLine) }
        }
        servedAny = true
        if let log = core.accessLog {
            let duration = Double(loop.now() &- slot.started) / 1e9
            log(
                HTTPAccessLogEntry(
                    method: slot.method, path: slot.path, status: response.status, bytesIn: slot.bytesIn,
                    bytesOut: out.count - before, durationSeconds: duration, requestID: slot.requestID,
                    responseRequestID: responseRequestID, remoteIsLoopback: remoteIsLoopback))
        }
        return close
    }

    /// Whether a response body of `bytes` may be queued: under 64 KiB always (errors, 503s,
    /// small answers), larger ones while the server-wide unsent bytes stay within
    /// `maxBufferedResponseBytes`.
    func admitsOutput(_ bytes: Int) -> Bool {
        let limit = core.configuration.maxBufferedResponseBytes
        guard limit > 0, bytes >= 64 << 10 else { return true }
        return core.bufferedResponseBytes.load(ordering: .relaxed) + bytes <= limit
    }

    /// Sets this connection's share of the server-wide unsent response bytes to what it holds.
    private func accountOutput() {
        let held = out.count - outStart
        guard held != accountedOutput else { return }
        core.bufferedResponseBytes.add(held - accountedOutput, ordering: .relaxed)
        accountedOutput = held
    }

    private func write() {
        defer { accountOutput() }
        var progressed = false
        while outStart < out.count {
            let n = out.withUnsafeBytes { p in
                send(fd, p.baseAddress! + outStart, p.count - outStart, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                outStart += n
                bytesSent += n
                progressed = true
                continue
            }
            let e = errno
            if n < 0 && e == EINTR { continue }
            if n < 0 && (e == EAGAIN || e == EWOULDBLOCK) {
                if progressed || deadlineKind != .write {
                    lastWrite = loop.now()
                    // The baseline the write deadline measures the client's reading against.
                    ackedAtCheck = bytesSent - kernelQueuedBytes
                }
                enableWriteSource()
                return
            }
            finalClose()  // EPIPE, ECONNRESET, …
            return
        }
        if out.capacity > 64 * 1024 { out = [] } else { out.removeAll(keepingCapacity: true) }
        outStart = 0
        disableWriteSource()
        if phase == .closingAfterWrite { beginLinger() }
    }

    private func enableWriteSource() { applyInterest(read: wantRead, write: true) }

    private func disableWriteSource() { applyInterest(read: wantRead, write: false) }

    private func onWritable() {
        guard phase == .open || phase == .closingAfterWrite else { return }
        write()
        if let h2, phase != .closed { pumpHTTP2(h2) }
        advance(now: loop.now())
    }

    private func beginLinger() {
        phase = .lingering
        shutdown(fd, Int32(SHUT_WR))
        if readEOF {
            finalClose()
            return
        }
        deadline = loop.now() + clampedNanoseconds(core.configuration.lingerTimeout)
        deadlineKind = .linger
        parser = HTTPRequestParser(limits: limits)
        resumeReading()
    }

    // MARK: Deadlines

    private func updateDeadline(_ now: UInt64) {
        let c = core
        switch phase {
        case .closed:
            deadline = 0
            deadlineKind = .none
        case .lingering:
            break
        case .open, .closingAfterWrite:
            if let h2 {
                updateHTTP2Deadline(h2, now)
            } else if deadlineKind == .drain && pendingOutput == 0 && slots.isEmpty && !parser.hasPartialRequest {
                break  // still waiting for the client to take the last answer
            } else if pendingOutput > 0 {
                deadline = lastWrite + c.writeTimeoutNs
                deadlineKind = .write
            } else if !slots.isEmpty || phase == .closingAfterWrite {
                deadline = 0
                deadlineKind = .none
            } else if parser.isReadingBody {
                deadline = lastRead + c.bodyTimeoutNs
                deadlineKind = .body
            } else if parser.hasPartialRequest {
                deadline = requestStart + c.headerTimeoutNs
                deadlineKind = .header
            } else if servedAny {
                deadline = lastActivity + c.idleTimeoutNs
                deadlineKind = .idle
            } else {
                deadline = lastActivity + c.headerTimeoutNs
                deadlineKind = .fresh
            }
        }
    }

    /// Bytes the kernel still holds for the client: not yet sent, or sent and not acknowledged.
    private var kernelQueuedBytes: Int {
        var queued: Int32 = 0
        return ioctl(fd, UInt(TIOCOUTQ), &queued) == 0 ? Int(queued) : 0
    }

    /// The write timeout means no progress at the client's side of the socket for
    /// `writeTimeout`: a `send` that blocks only says the buffers are full, not that the client
    /// stopped reading (a steady slow reader was cut off after 39 s with 119 of 300 answers).
    /// So when a write deadline passes, the acknowledged bytes decide: if they grew since the
    /// last check, the client is reading and the deadline moves on (checked every quarter of
    /// the timeout); if nothing is left, the wait is over; otherwise the connection closes once
    /// `writeTimeout` passed without progress. Returns whether the connection stays open.
    private func writeDeadlinePassed(now: UInt64) -> Bool {
        let queued = kernelQueuedBytes
        let acked = bytesSent - queued
        if acked > ackedAtCheck {
            ackedAtCheck = acked
            lastWrite = now
        }
        if pendingOutput == 0 && queued == 0 {
            deadline = 0
            deadlineKind = .none
            lastActivity = now
            updateDeadline(now)
            return true
        }
        let timeout = core.writeTimeoutNs
        guard now &- lastWrite < timeout else { return false }
        deadline = min(lastWrite + timeout, now + max(timeout / 4, 1_000_000))
        return true
    }

    // MARK: HTTP/2

    /// Appends frames the HTTP/2 session produced.
    func appendOutput(_ bytes: UnsafeRawBufferPointer) { out.append(contentsOf: bytes) }

    /// Counts `bytes` of a submitted HTTP/2 answer in the server-wide unsent response bytes
    /// (`admitsOutput` reads them) until ``releaseResponseBytes(_:)``.
    func holdResponseBytes(_ bytes: Int) { core.bufferedResponseBytes.add(bytes, ordering: .relaxed) }

    func releaseResponseBytes(_ bytes: Int) { core.bufferedResponseBytes.subtract(bytes, ordering: .relaxed) }

    /// Counts `bytes` of an HTTP/2 request body against `maxBufferedRequestBytes`; false
    /// (counting nothing) when that would pass it.
    func reserveRequestBytes(_ bytes: Int) -> Bool { account(accountedBytes + bytes) }

    /// Returns `bytes` counted by ``reserveRequestBytes(_:)``.
    func releaseRequestBytes(_ bytes: Int) { account(max(accountedBytes - bytes, 0)) }

    /// The handler's answer to HTTP/2 stream `id`. On `loop.queue`.
    func completeStream(_ id: Int32, _ response: HTTPResponse) {
        guard phase == .open, let h2 else { return }
        h2.complete(stream: id, response: response)
        servedAny = true
        let now = loop.now()
        lastActivity = now
        // Answered inside `mem_recv` (a handler that answers at once): the read path sends it.
        guard !h2.isReceiving else { return }
        pumpHTTP2(h2)
        advance(now: now)
    }

    private func receiveHTTP2(_ session: HTTP2Session, _ bytes: UnsafeRawBufferPointer, now: UInt64) {
        if session.receive(bytes) == .closeAfterWrite && phase == .open { phase = .closingAfterWrite }
        guard phase != .closed else { return }
        pumpHTTP2(session)
        advance(now: now)
    }

    /// Moves frames from the session to the socket until the session has none left or the
    /// socket (and `maxPendingOutputBytes`) says wait.
    private func pumpHTTP2(_ session: HTTP2Session) {
        while phase == .open || phase == .closingAfterWrite {
            let before = out.count
            if session.flush() == .closeAfterWrite && phase == .open { phase = .closingAfterWrite }
            let produced = out.count > before
            write()
            if !produced || pendingOutput > 0 { break }
        }
    }

    private func advanceHTTP2(_ session: HTTP2Session, now: UInt64) {
        if phase == .open && session.isFinished && pendingOutput == 0 {
            // GOAWAY exchanged and every stream done: close as after a final HTTP/1.1 answer.
            phase = .closingAfterWrite
            write()
            return
        }
        let read =
            phase == .lingering
            || (phase == .open && !readEOF && session.wantsInput && pendingOutput < max(limits.maxPendingOutputBytes, 1))
        applyInterest(read: read, write: wantWrite)
        updateDeadline(now)
    }

    /// Shutdown (RFC 9113 §6.8): a GOAWAY with the largest stream id at once, so the client
    /// opens no new stream; about a round trip later the final GOAWAY naming the last stream
    /// received (streams in flight meanwhile are not lost); then those streams finish and the
    /// connection closes.
    private func drainHTTP2(_ session: HTTP2Session) {
        session.announceShutdown()
        pumpHTTP2(session)
        advance(now: loop.now())
        loop.queue.asyncAfter(deadline: .now() + .milliseconds(100)) { [weak self] in
            guard let self, self.phase == .open, let session = self.h2 else { return }
            session.goAway(message: "shutting down")
            self.pumpHTTP2(session)
            self.advance(now: self.loop.now())
        }
    }

    /// A timeout: GOAWAY, then close once it is written (streams in flight are dropped).
    private func closeHTTP2(_ session: HTTP2Session, message: String) {
        session.goAway(message: message)
        deadline = 0
        deadlineKind = .none
        phase = .closingAfterWrite
        pumpHTTP2(session)
    }

    private func updateHTTP2Deadline(_ session: HTTP2Session, _ now: UInt64) {
        let c = core
        if pendingOutput > 0 {
            deadline = lastWrite + c.writeTimeoutNs
            deadlineKind = .write
        } else if phase == .closingAfterWrite || session.unansweredCount > 0 {
            deadline = 0
            deadlineKind = .none
        } else if session.hasPartialRequest {
            deadline = lastRead + c.bodyTimeoutNs
            deadlineKind = .body
        } else if servedAny {
            deadline = lastActivity + c.idleTimeoutNs
            deadlineKind = .idle
        } else {
            deadline = lastActivity + c.headerTimeoutNs
            deadlineKind = .fresh
        }
        if ageDeadline != 0 && !session.goingAway && phase == .open && (deadline == 0 || ageDeadline < deadline) {
            deadline = ageDeadline
            deadlineKind = .age
        }
    }

    /// Called by the loop's sweep when `deadline` passed.
    func deadlinePassed(now: UInt64) {
        switch deadlineKind {
        case .none:
            deadline = 0
        case .write, .drain:
            if !writeDeadlinePassed(now: now) { finalClose() }
        case .idle where kernelQueuedBytes > 0:
            // Idle on our side, but the client has not taken the last answer yet: wait for it
            // as for a write, measuring from now.
            ackedAtCheck = bytesSent - kernelQueuedBytes
            lastWrite = now
            deadlineKind = .drain
            deadline = now + max(core.writeTimeoutNs / 4, 1_000_000)
        case .fresh, .idle, .linger:
            if let h2, phase == .open, deadlineKind != .linger {
                closeHTTP2(h2, message: "idle timeout")
            } else {
                finalClose()
            }
        case .age:
            if let h2 {
                h2.goAway(message: "max_age")
                deadline = 0
                deadlineKind = .none
                pumpHTTP2(h2)
                advance(now: now)
            }
        case .header, .body:
            if let h2 {
                closeHTTP2(h2, message: "request timeout")
                return
            }
            guard phase == .open else { return }
            deadline = 0
            deadlineKind = .none
            queueError(.requestTimeout, now: now)
            if phase != .closed { advance(now: now) }
        }
    }
}

// MARK: HTTP/2

extension HTTPConnection {
    /// Output bytes queued and not yet taken by the socket.
    var pendingOutputBytes: Int { pendingOutput }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
