import Dispatch
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// N serial Dispatch queues that run inference jobs, with bounded admission.
///
/// A job is admitted only while fewer than `capacity` jobs are queued or running; beyond
/// that ``submit(_:)`` refuses at once, so the caller answers 503 instead of queueing
/// without bound. Large forward passes are split over rows with ``split(count:_:completion:)``
/// so one big request uses every worker; many small requests run side by side.
public final class WorkerPool: Sendable {
    private let queues: [DispatchQueue]
    /// Jobs admitted and not yet finished, and the queue the last job went to.
    private struct Admission {
        var pending = 0
        var next = 0
    }
    private let admission = Mutex(Admission())
    /// Jobs admitted at most (queued plus running).
    public let capacity: Int
    /// Runs every job on the caller's thread at once (the fuzz targets: no thread hops, so
    /// a route answers before `handle` returns).
    private let runsInline: Bool

    /// - Parameters:
    ///   - workers: number of serial queues (default: active processor count).
    ///   - queueDepth: jobs admitted beyond the ones running, in total.
    public init(workers: Int, queueDepth: Int) {
        precondition(workers >= 1 && queueDepth >= 0)
        queues = (0..<workers).map { DispatchQueue(label: "denseserve.worker.\($0)", qos: .userInitiated) }
        capacity = workers + queueDepth
        runsInline = false
    }

    private init(inline: Void) {
        queues = []
        capacity = 1
        runsInline = true
    }

    /// A pool that runs each job, split and delivery on the calling thread before returning
    /// (for the model routes; a batched predict, which delays work, traps).
    @_spi(Fuzzing) public static func inline() -> WorkerPool { WorkerPool(inline: ()) }

    public var workerCount: Int { max(queues.count, 1) }

    /// Jobs admitted and not yet finished.
    public var depth: Int { admission.withLock { $0.pending } }

    /// Runs `job` on a worker. The job receives a `Completion` it must call exactly once
    /// when it (and any split work it started) is done. Returns false, running nothing,
    /// when the pool is full.
    @discardableResult
    public func submit(_ job: @escaping @Sendable (Completion) -> Void) -> Bool {
        if runsInline {
            admission.withLock { $0.pending += 1 }
            job(Completion(pool: self, admittedAt: ContinuousClock.now))
            return true
        }
        let queue: DispatchQueue? = admission.withLock { state in
            guard state.pending < capacity else { return nil }
            state.pending += 1
            state.next = (state.next + 1) % queues.count
            return queues[state.next]
        }
        guard let queue else { return false }
        let completion = Completion(pool: self, admittedAt: ContinuousClock.now)
        queue.async { job(completion) }
        return true
    }

    /// Runs work that belongs to already admitted jobs (a batch, a delivery) on the next
    /// worker queue, after `microseconds` when positive. Never refused: admission was
    /// decided when the jobs were submitted.
    public func async(afterMicroseconds microseconds: Int = 0, _ work: @escaping @Sendable () -> Void) {
        if runsInline {
            // A delayed delivery (the batcher's timer) would run re-entrantly here: the inline
            // pool serves the model routes only, never predicts.
            precondition(microseconds <= 0, "an inline pool cannot delay work")
            return work()
        }
        let queue: DispatchQueue = admission.withLock { state in
            state.next = (state.next + 1) % queues.count
            return queues[state.next]
        }
        if microseconds > 0 {
            queue.asyncAfter(deadline: .now() + .microseconds(microseconds), execute: work)
        } else {
            queue.async(execute: work)
        }
    }

    /// Marks an admitted job finished.
    public struct Completion: Sendable {
        fileprivate let pool: WorkerPool
        /// When the job was admitted (queue time is measured from here).
        public let admittedAt: ContinuousClock.Instant
        public func done() { pool.admission.withLock { $0.pending -= 1 } }
    }

    /// Runs `count` pieces of work, piece `i` on worker `i % workers`, and calls `completion`
    /// with the results in order once all finished. Used inside an admitted job.
    public func split<Result: Sendable>(
        count: Int, _ work: @escaping @Sendable (Int) -> Result, completion: @escaping @Sendable ([Result]) -> Void
    ) {
        if runsInline { return completion((0..<count).map(work)) }
        let results = ResultSlots<Result>(count: count)
        let group = DispatchGroup()
        for index in 0..<count {
            queues[index % queues.count].async(group: group) { results.set(index, work(index)) }
        }
        group.notify(queue: queues[0]) { completion(results.values) }
    }
}

/// Slots written once each from different queues, read after a `DispatchGroup` completes.
private final class ResultSlots<Value: Sendable>: Sendable {
    private let slots: Mutex<[Value?]>
    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }
    func set(_ index: Int, _ value: Value) { slots.withLock { $0[index] = value } }
    /// Every slot's value; read in the group's notify block, after every write.
    var values: [Value] { slots.withLock { $0.map { $0! } } }
}
