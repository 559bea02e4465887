import CoreMetrics
import DenseKernel
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Combines concurrent requests to the same registered model and version into one
/// forward pass (one GEMM per layer).
///
/// Each request arrives already decoded and validated, as `rows` rows of the model's input
/// width (its leading axes flattened), from inside a job the ``WorkerPool`` admitted: the
/// job keeps its admission slot until its rows are delivered, so bounded admission (503
/// when full) covers queued requests too.
///
/// Scheduling: at most one batch per model version runs at a time, and a batch starts as
/// soon as one of these holds — its queue has `maxBatchRows` rows; the policy's delay is 0;
/// no other admitted work is pending in the pool (every request the workers still have to
/// decode could join, so waiting gains nothing); or the oldest queued request has waited
/// `maxQueueDelayMicroseconds` (a timer). A request that starts a batch runs it on its own
/// worker; requests arriving meanwhile queue up, and the next batch runs when the running
/// one is done (on the next worker, so the jobs queued on this one are not starved). So an
/// idle server adds no hop and no wait, and under load batches grow to what arrived while
/// the workers were busy. A batch takes queued requests in arrival
/// order while their rows fit in `maxBatchRows` (at least one), concatenates their rows,
/// runs the stack once, and hands each caller exactly its own row range of the output. A
/// request of at least `maxBatchRows` rows, or any request when batching is off, runs alone
/// at once.
///
/// Concatenation first casts every part to the first layer's dtype — the cast the first
/// layer would make anyway — so a batched row is computed from the same values as alone.
final class DynamicBatcher: Sendable {
    private let pool: WorkerPool
    private let splitMinFLOPs: Int
    /// A batch's forward pass stays within these (each request was checked alone).
    private let limits: DenseLimits
    /// `denseserve_batch_rows`: rows per pass, every pass (a request alone is a pass of one).
    private let batchRows: Recorder
    private let observer: (@Sendable (BatchObservation) -> Void)?
    /// Passes, requests and rows so far: relaxed counters, read once at shutdown.
    private let passCount = Atomic<Int>(0)
    private let requestCount = Atomic<Int>(0)
    private let rowCount = Atomic<Int>(0)
    /// Everything the queues share, behind one lock (each `Queue` too).
    private struct State {
        var queues: [Key: Queue] = [:]
        /// Requests queued here (all models) and in running batches: admitted jobs the pool
        /// counts that are not waiting for a worker.
        var waiting = 0
        var inFlight = 0
    }
    private let state = Mutex(State())

    /// Called with one caller's output rows and its timing.
    typealias Delivery = @Sendable (TensorStorage, ResponseEncoder.Timing) -> Void

    struct Key: Hashable {
        var name: String
        var version: Int
    }

    private struct Entry {
        var rows: Int
        var input: TensorStorage
        var admitted: ContinuousClock.Instant
        var deliver: Delivery
        /// Whether its client has gone (a closed connection, a reset HTTP/2 stream): then it is
        /// left out of the pass that would compute it, and `skip` answers it instead.
        var abandoned: @Sendable () -> Bool
        var skip: @Sendable () -> Void
        /// When it joined the queue (the delay counts from here).
        var queuedAt = ContinuousClock.now
    }

    private final class Queue {
        let model: RegisteredModel
        let policy: BatchingPolicy
        var entries: [Entry] = []
        var rows = 0
        /// A batch of this queue is running (or about to).
        var running = false
        /// A delay timer is pending.
        var timerArmed = false
        init(model: RegisteredModel, policy: BatchingPolicy) {
            self.model = model
            self.policy = policy
        }

        /// Removes the next batch: entries in order while their rows fit in `maxBatchRows`
        /// and the pass stays within `limits` (FLOPs, elements of any layer's output); at
        /// least one entry, which was checked alone.
        func takeBatch(limits: DenseLimits) -> [Entry] {
            var total = 0
            var count = 0
            for entry in entries {
                if count > 0 && (total + entry.rows > policy.maxBatchRows || !fits(rows: total + entry.rows, limits: limits)) { break }
                total += entry.rows
                count += 1
            }
            let batch = Array(entries.prefix(count))
            entries.removeFirst(count)
            rows -= total
            return batch
        }

        var isIdle: Bool { entries.isEmpty && !running && !timerArmed }

        /// Whether a pass of `rows` rows stays within the FLOP and element limits.
        func fits(rows: Int, limits: DenseLimits) -> Bool {
            // The same element and FLOP checks each request passed, for the merged rows.
            do { try model.model.checkPassLimits(rows: rows, limits: limits) } catch { return false }
            return true
        }
    }

    private enum Action {
        case none
        case run(RegisteredModel, [Entry])
        case armTimer(Int)
    }

    init(
        pool: WorkerPool, splitMinFLOPs: Int, limits: DenseLimits = .default, batchRows: Recorder,
        observer: (@Sendable (BatchObservation) -> Void)?
    ) {
        self.pool = pool
        self.splitMinFLOPs = splitMinFLOPs
        self.limits = limits
        self.batchRows = batchRows
        self.observer = observer
    }

    /// Passes run so far, with the requests and rows they combined.
    var totals: BatchTotals {
        BatchTotals(
            passes: passCount.load(ordering: .relaxed), requests: requestCount.load(ordering: .relaxed),
            rows: rowCount.load(ordering: .relaxed))
    }

    /// Runs `rows` rows of `input` (width `model.model.inputDim`) through the model, batched
    /// with concurrent requests under `policy`, and calls `deliver` on a worker with this
    /// request's `rows·outputWidth` outputs. Call from inside an admitted job. A request whose
    /// `abandoned` is true when its pass starts is not computed: `skip` is called instead.
    func submit(
        model: RegisteredModel, policy: BatchingPolicy, rows: Int, input: TensorStorage,
        admitted: ContinuousClock.Instant, abandoned: @escaping @Sendable () -> Bool = { false },
        skip: @escaping @Sendable () -> Void = {}, deliver: @escaping Delivery
    ) {
        precondition(rows >= 1 && input.count == rows * model.model.rowWidth)
        let entry = Entry(rows: rows, input: input, admitted: admitted, deliver: deliver, abandoned: abandoned, skip: skip)
        guard policy.enabled && rows < policy.maxBatchRows else {
            run(model: model, [entry]) {}
            return
        }
        let key = Key(name: model.name, version: model.version)
        let action: Action = state.withLock { state in
            let queue: Queue
            if let existing = state.queues[key] {
                queue = existing
            } else {
                queue = Queue(model: model, policy: policy)
                state.queues[key] = queue
            }
            queue.entries.append(entry)
            queue.rows += rows
            state.waiting += 1
            if queue.running { return .none }  // the running batch's successor takes it
            if shouldStart(queue, state) {
                queue.running = true
                return .run(queue.model, take(queue, &state))
            }
            if queue.timerArmed { return .none }
            queue.timerArmed = true
            return .armTimer(queue.policy.maxQueueDelayMicroseconds)
        }
        switch action {
        case .none: break
        case .run(let model, let batch): runChain(key, model, batch)
        case .armTimer(let delay): pool.async(afterMicroseconds: delay) { self.timerFired(key) }
        }
    }

    /// Requests queued and not yet running (for tests and metrics).
    var queuedCount: Int { state.withLock { $0.waiting } }

    /// Whether a queue that has no running batch should start one now (lock held). The age
    /// of the oldest request is checked here too, so under steady traffic the delay is kept
    /// without waiting for the timer (which only bounds the wait when nothing else happens).
    private func shouldStart(_ queue: Queue, _ state: State) -> Bool {
        guard let oldest = queue.entries.first else { return false }
        return queue.rows >= queue.policy.maxBatchRows || queue.policy.maxQueueDelayMicroseconds == 0
            || pool.depth - state.waiting - state.inFlight <= 0
            || ContinuousClock.now - oldest.queuedAt >= .microseconds(queue.policy.maxQueueDelayMicroseconds)
    }

    /// The next batch of `queue`, counted in flight (lock held).
    private func take(_ queue: Queue, _ state: inout State) -> [Entry] {
        let batch = queue.takeBatch(limits: limits)
        state.waiting -= batch.count
        state.inFlight += batch.count
        return batch
    }

    /// The delay is over: run what is queued unless a batch is already running.
    private func timerFired(_ key: Key) {
        let action: Action = state.withLock { state in
            guard let queue = state.queues[key] else { return .none }
            queue.timerArmed = false
            guard !queue.running, !queue.entries.isEmpty else {
                if queue.isIdle { state.queues[key] = nil }
                return .none
            }
            queue.running = true
            return .run(queue.model, take(queue, &state))
        }
        if case .run(let model, let batch) = action { runChain(key, model, batch) }
    }

    /// Runs a batch, then the next one while requests are queued.
    private func runChain(_ key: Key, _ model: RegisteredModel, _ batch: [Entry]) {
        run(model: model, batch) {
            let action: Action = self.state.withLock { state in
                state.inFlight -= batch.count
                guard let queue = state.queues[key] else { return .none }
                if !queue.entries.isEmpty && self.shouldStart(queue, state) { return .run(model, self.take(queue, &state)) }
                queue.running = false
                if queue.isIdle {
                    state.queues[key] = nil
                    return .none
                }
                // Requests still being decoded will start the batch; the timer bounds the wait.
                if queue.entries.isEmpty || queue.timerArmed { return .none }
                queue.timerArmed = true
                return .armTimer(queue.policy.maxQueueDelayMicroseconds)
            }
            switch action {
            case .none: break
            case .run(_, let next): self.pool.async { self.runChain(key, model, next) }
            case .armTimer(let delay): self.pool.async(afterMicroseconds: delay) { self.timerFired(key) }
            }
        }
    }

    /// Runs entries as one forward pass, delivers each its rows, then calls `then`. Entries
    /// whose client has gone are skipped first (rapid HTTP/2 resets must not buy compute).
    private func run(model registered: RegisteredModel, _ all: [Entry], then: @escaping @Sendable () -> Void) {
        let batch = all.filter { entry in
            guard entry.abandoned() else { return true }
            entry.skip()
            return false
        }
        guard !batch.isEmpty else {
            then()
            return
        }
        let model = registered.model
        let clock = ContinuousClock()
        let started = clock.now
        let rows = batch.reduce(0) { $0 + $1.rows }
        let input = batch.count == 1 ? batch[0].input : TensorStorage.concatenate(batch.map(\.input), dtype: model.inputDType)
        batchRows.record(rows)
        passCount.add(1, ordering: .relaxed)
        requestCount.add(batch.count, ordering: .relaxed)
        rowCount.add(rows, ordering: .relaxed)
        observer?(BatchObservation(model: registered.name, version: registered.version, requests: batch.count, rows: rows))
        pool.forward(model, rows: rows, input: input, splitMinFLOPs: splitMinFLOPs) { output in
            let computeMs = DenseService.milliseconds(clock.now - started)
            if batch.count == 1 {
                batch[0].deliver(output, .init(queueMs: DenseService.milliseconds(started - batch[0].admitted), computeMs: computeMs))
            } else {
                let width = model.outputRowWidth
                var low = 0
                for entry in batch {
                    let high = low + entry.rows * width
                    entry.deliver(
                        output.slice(low..<high), .init(queueMs: DenseService.milliseconds(started - entry.admitted), computeMs: computeMs))
                    low = high
                }
            }
            then()
        }
    }
}
