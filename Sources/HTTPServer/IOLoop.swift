import CZlib
import Dispatch
import Glibc
import HTTPCore

/// One serial I/O queue and the connections confined to it.
///
/// Readiness: the loop's connections sit in the loop's own epoll set
/// (level-triggered). One thread of the loop's own blocks in `epoll_wait` on it and,
/// when connections are ready, runs their handling on `queue` with `queue.sync`,
/// which Dispatch runs on that same thread when the queue is free. So a batch of
/// ready connections costs one thread wake-up: no Dispatch manager thread, no source
/// re-arm and no worker hand-off, which were most of the kernel time (context switches
/// and futex wake-ups) on the health route under `perf`. Work other threads send to
/// `queue` (answers from the worker pool) still runs there, in order with the rest.
///
/// Safety of `@unchecked Sendable`: every `var` (and the read buffer's memory) is read
/// and written only on `queue`; the event array only by the poll thread, inside and
/// outside `queue.sync`, never by anyone else.
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
    /// A pipe whose read end is in the epoll set: `stop()` writes a byte to wake the
    /// poll thread (the Glibc module has no `eventfd`).
    private let wakeRead: Int32
    private let wakeWrite: Int32
    /// Set by `stop()` (on `queue`); the poll thread exits when it sees it.
    private var stopRequested = false
    /// Once polling started, the poll thread owns (closes) `epfd` and the pipe.
    private var pollingStarted = false
    /// The epoll `u64` of the pipe's event: no connection's (their tags start at 1).
    private static let wakeEvent = UInt64.max
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
        var pipeFDs: [Int32] = [-1, -1]
        let piped = pipe(&pipeFDs)  // pipe2 is not in the Glibc module
        // At server start-up, out of descriptors: fail loudly here, not as a loop that never polls.
        precondition(epfd >= 0 && piped == 0, "cannot create I/O loop \(index)'s epoll set or wake pipe: errno \(errno)")
        (wakeRead, wakeWrite) = (pipeFDs[0], pipeFDs[1])
        for fd in pipeFDs where fd >= 0 {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, O_NONBLOCK)
        }
        var ev = epoll_event()
        ev.events = EPOLLIN.rawValue
        ev.data.u64 = Self.wakeEvent
        _ = epoll_ctl(epfd, EPOLL_CTL_ADD, wakeRead, &ev)
    }

    deinit {
        readBuffer.deallocate()
        events.deallocate()
        if !pollingStarted { closeDescriptors() }
    }

    /// Starts the poll thread and the periodic deadline sweep. On any thread, once.
    func start(sweepInterval: Double) {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let ns = Int(sweepInterval * 1e9)
        timer.schedule(deadline: .now() + .nanoseconds(ns), repeating: .nanoseconds(ns), leeway: .nanoseconds(ns / 4))
        timer.setEventHandler { [self] in sweep() }  // cycle broken by stop()
        queue.sync {
            pollingStarted = true
            sweepTimer = timer
        }
        timer.resume()
        // The thread holds the loop until it exits (after `stop()`).
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(
            &thread, nil,
            { context in
                let loop = Unmanaged<IOLoop>.fromOpaque(context!).takeRetainedValue()
                loop.pollUntilStopped()
                return nil
            }, context)
        guard created == 0 else { preconditionFailure("cannot start the I/O poll thread: \(created)") }
        pthread_detach(thread)
    }

    /// Closes every connection at once, then stops the sweep and the poll thread. On `queue`.
    func stop() {
        for connection in Array(connections.values) { connection.finalClose() }
        sweepTimer?.cancel()
        sweepTimer = nil
        guard pollingStarted, !stopRequested else { return }
        stopRequested = true
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// The poll thread: waits for ready connections, handles them on `queue`, and at the end
    /// closes the descriptors it owns.
    private func pollUntilStopped() {
        while true {
            let n = epoll_wait(epfd, events, Self.maxEvents, -1)
            if n < 0 && errno == EINTR { continue }
            // Only a broken epoll descriptor fails here (it is closed after this loop alone);
            // going on silently would leave this loop's connections unserved forever.
            guard n >= 0 else { preconditionFailure("epoll_wait failed on I/O loop \(index): errno \(errno)") }
            if queue.sync(execute: { handleReady(count: Int(n)) }) { break }
        }
        closeDescriptors()
    }

    private func closeDescriptors() {
        for fd in [epfd, wakeRead, wakeWrite] where fd >= 0 { close(fd) }
    }

    /// Handles the `count` ready events, then any that became ready meanwhile (at most 16
    /// rounds); on `queue`. Returns whether the poll thread is to stop.
    private func handleReady(count: Int) -> Bool {
        var n = count
        for round in 0..<16 {
            for i in 0..<n {
                let data = events[i].data.u64
                if data == Self.wakeEvent {
                    if stopRequested { return true }
                    continue
                }
                let fd = Int32(truncatingIfNeeded: data & 0xFFFF_FFFF)
                let tag = UInt32(truncatingIfNeeded: data >> 32)
                guard fd >= 0, Int(fd) < byFD.count, let connection = byFD[Int(fd)], connection.tag == tag else { continue }
                connection.handle(events: events[i].events)
            }
            if n < Self.maxEvents || round == 15 { break }
            n = Int(epoll_wait(epfd, events, Self.maxEvents, 0))
            if n <= 0 { break }
        }
        return stopRequested
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
