import CZlib  // epoll
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
/// The state and lifecycle are here; the read path, dispatch, write path, deadlines and the
/// HTTP/2 side are extensions in `HTTPConnection+*.swift` (so the state is module-internal).
///
/// Safety of `@unchecked Sendable`: every `var` is read and written only on
/// `loop.queue` (responders hop there before touching it).
final class HTTPConnection: @unchecked Sendable {
    enum Phase { case open, closingAfterWrite, lingering, closed }
    /// `write`: our buffer holds output the client is slow to take; `drain`: only the kernel's
    /// send queue does (checked when the idle deadline passes).
    /// `age`: an HTTP/2 connection's `maxConnectionAge` (GOAWAY, then finish).
    enum DeadlineKind { case none, fresh, idle, header, body, write, drain, linger, age }

    let core: ServerCore
    let loop: IOLoop
    let fd: Int32
    let remoteIsLoopback: Bool
    /// Set (from this loop) when the client's end of file arrives while requests are still
    /// unanswered, or the connection closes; read from any thread (`HTTPResponder.isAbandoned`).
    let abandoned = Atomic<Bool>(false)
    var limits: HTTPLimits { core.configuration.limits }

    var parser: HTTPRequestParser
    /// Tag of this connection's epoll registration (rejects stale events after fd reuse).
    private(set) var tag: UInt32 = 0
    var wantRead = true
    var wantWrite = false

    var out: [UInt8] = []
    var outStart = 0
    var slots: [Slot] = []
    var slotBase = 0
    var nextSequence = 0
    var continuePending = false
    var stopParsing = false
    var phase = Phase.open
    var readEOF = false
    var draining = false
    var processing = false
    var servedAny = false
    var lingerBytes = 0
    var consumedAtLastRequest = 0
    /// This connection's share of `core.bufferedRequestBytes`.
    var accountedBytes = 0
    /// This connection's share of `core.bufferedResponseBytes`.
    var accountedOutput = 0
    var lastCompleted = 0

    var deadline: UInt64 = 0
    var deadlineKind = DeadlineKind.none
    var requestStart: UInt64 = 0
    var lastRead: UInt64 = 0
    var lastActivity: UInt64 = 0
    /// When the client last made write-side progress: a `send` that took bytes, or more of our
    /// bytes acknowledged by the client than at the previous check.
    var lastWrite: UInt64 = 0
    /// Bytes handed to the kernel so far, and how many of them the client had acknowledged at
    /// the last check (`bytesSent` minus the kernel's `SIOCOUTQ`).
    var bytesSent = 0
    var ackedAtCheck = 0

    /// Whether the first bytes decided between HTTP/1.1 and HTTP/2 yet.
    var protocolChosen = false
    /// The first bytes while they may still be the HTTP/2 preface (at most 24).
    var prefaceBytes: [UInt8] = []
    /// The HTTP/2 session, once the preface arrived: then it, not the parser, reads the bytes.
    var h2: HTTP2Session?
    /// When an HTTP/2 connection is asked to go away (`maxConnectionAge`); 0: never.
    var ageDeadline: UInt64 = 0

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
        setDeadline(.none, at: 0)
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

    func applyInterest(read: Bool, write: Bool) {
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
}
