import Dispatch
import HTTPCore

/// One serial I/O queue and the connections confined to it.
///
/// Safety of `@unchecked Sendable`: every `var` (and the read buffer's bytes)
/// is read and written only on `queue`.
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

    init(index: Int) {
        self.index = index
        queue = DispatchQueue(label: "denseserve.http.io.\(index)", qos: .userInitiated)
        queue.setSpecific(key: key, value: 1)
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit { readBuffer.deallocate() }

    var isCurrent: Bool { DispatchQueue.getSpecific(key: key) != nil }

    @inline(__always)
    func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Starts the periodic deadline sweep (on `queue`).
    func startSweep(intervalSeconds: Double) {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let ns = Int(intervalSeconds * 1e9)
        timer.schedule(deadline: .now() + .nanoseconds(ns), repeating: .nanoseconds(ns), leeway: .nanoseconds(ns / 4))
        timer.setEventHandler { [unowned self] in self.sweep() }
        sweepTimer = timer
        timer.resume()
    }

    func stopSweep() {
        sweepTimer?.cancel()
        sweepTimer = nil
    }

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

    func forceCloseAll() {
        for connection in Array(connections.values) { connection.finalClose() }
    }
}
