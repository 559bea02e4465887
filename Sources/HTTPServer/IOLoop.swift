import CZlib
import Dispatch
import Glibc
import HTTPCore

/// One serial I/O queue and the connections confined to it.
///
/// Readiness: the loop's connections sit in the loop's own epoll set
/// (level-triggered), and one `DispatchSourceRead` on that epoll descriptor,
/// targeting `queue`, fires when any of them is ready. Its handler drains ready
/// events with non-blocking `epoll_wait` (timeout 0) and drives each connection.
/// So Dispatch never blocks on a socket, and one Dispatch wake-up (and one source
/// re-arm) serves a whole batch of ready connections instead of one each — a
/// source per socket costs a manager-thread round trip per request on Linux.
///
/// Safety of `@unchecked Sendable`: every `var` (and the read buffer's and the
/// event array's memory) is read and written only on `queue`.
final class IOLoop: @unchecked Sendable {
    let index: Int
    let queue: DispatchQueue
    /// Set on `queue` only: `DispatchQueue.getSpecific(key:) != nil` means "on this loop".
    let key = DispatchSpecificKey<UInt8>()
    /// Shared receive buffer: reads land here, then the parser copies what it keeps.
    let readBuffer: UnsafeMutableRawBufferPointer
    var connections: [ObjectIdentifier: HTTPConnection] = [:]
    var draining = false
    var dateCache = HTTPDateCache()
    private var sweepTimer: DispatchSourceTimer?

    private let epfd: Int32
    private var pollSource: DispatchSourceRead?
    /// Once polling started, the poll source's cancel handler owns (closes) `epfd`.
    private var pollingStarted = false
    private static let maxEvents: Int32 = 256
    private let events: UnsafeMutablePointer<epoll_event>
    /// Connections by descriptor; an event's `u64` carries fd and a tag to reject stale events.
    private var byFD: ContiguousArray<HTTPConnection?> = []
    private var nextTag: UInt32 = 0

    init(index: Int) {
        self.index = index
        queue = DispatchQueue(label: "denseserve.http.io.\(index)", qos: .userInitiated)
        queue.setSpecific(key: key, value: 1)
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Int(Self.maxEvents))
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
    }

    deinit {
        readBuffer.deallocate()
        events.deallocate()
        if !pollingStarted && epfd >= 0 { close(epfd) }
    }

    /// Starts watching the epoll set and the periodic deadline sweep. On any thread, once.
    func start(sweepInterval: Double) {
        let source = DispatchSource.makeReadSource(fileDescriptor: epfd, queue: queue)
        let fd = epfd
        source.setEventHandler { [self] in drainEvents() }  // cycle broken by stop()
        source.setCancelHandler { close(fd) }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let ns = Int(sweepInterval * 1e9)
        timer.schedule(deadline: .now() + .nanoseconds(ns), repeating: .nanoseconds(ns), leeway: .nanoseconds(ns / 4))
        timer.setEventHandler { [self] in sweep() }  // cycle broken by stop()
        queue.sync {
            pollSource = source
            pollingStarted = true
            sweepTimer = timer
        }
        source.resume()
        timer.resume()
    }

    /// Closes every connection at once, then stops the sweep and the polling. On `queue`.
    func stop() {
        for connection in Array(connections.values) { connection.finalClose() }
        sweepTimer?.cancel()
        sweepTimer = nil
        pollSource?.cancel()
        pollSource = nil
    }

    /// Handles ready connections until none is ready (at most 16 rounds per wake-up).
    private func drainEvents() {
        for _ in 0..<16 {
            let n = epoll_wait(epfd, events, Self.maxEvents, 0)
            if n <= 0 { return }
            for i in 0..<Int(n) {
                let data = events[i].data.u64
                let fd = Int32(truncatingIfNeeded: data & 0xFFFF_FFFF)
                let tag = UInt32(truncatingIfNeeded: data >> 32)
                guard fd >= 0, Int(fd) < byFD.count, let connection = byFD[Int(fd)], connection.tag == tag else { continue }
                connection.handle(events: events[i].events)
            }
            if n < Self.maxEvents { return }
        }
    }

    /// Adds a connection to the epoll set with read interest; returns its tag.
    func register(_ connection: HTTPConnection, fd: Int32) -> UInt32? {
        nextTag &+= 1
        let tag = nextTag
        var ev = epoll_event()
        ev.events = EPOLLIN.rawValue
        ev.data.u64 = UInt64(UInt32(bitPattern: fd)) | UInt64(tag) << 32
        guard epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0 else { return nil }
        if Int(fd) >= byFD.count { byFD.append(contentsOf: repeatElement(nil, count: Int(fd) + 1 - byFD.count + 64)) }
        byFD[Int(fd)] = connection
        return tag
    }

    /// Changes the interest set of a registered connection.
    func setInterest(fd: Int32, tag: UInt32, read: Bool, write: Bool) {
        var ev = epoll_event()
        ev.events = (read ? EPOLLIN.rawValue : 0) | (write ? EPOLLOUT.rawValue : 0)
        ev.data.u64 = UInt64(UInt32(bitPattern: fd)) | UInt64(tag) << 32
        _ = epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev)
    }

    /// Removes a connection (before its descriptor is closed).
    func unregister(fd: Int32) {
        _ = epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nil)
        if Int(fd) < byFD.count { byFD[Int(fd)] = nil }
    }

    var isCurrent: Bool { DispatchQueue.getSpecific(key: key) != nil }

    @inline(__always)
    func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    private func sweep() {
        let t = now()
        for connection in Array(connections.values) where connection.deadline != 0 && t >= connection.deadline {
            connection.deadlinePassed(now: t)
        }
    }

    /// Marks the loop draining and lets every connection finish or close.
    func beginDrain() {
        draining = true
        for connection in Array(connections.values) { connection.beginDrain() }
    }
}
