import DenseKernel
import Foundation

/// Combines concurrent requests to the same registered model and version into one
/// forward pass (one GEMM per layer).
///
/// Each request arrives already decoded and validated, as `rows` rows of the model's input
/// width (its leading axes flattened), from inside a job the ``WorkerPool`` admitted: the
/// job keeps its admission slot until its rows are delivered, so bounded admission (503
/// when full) covers queued requests too.
///
/// Scheduling is group commit: at most one batch per model version runs at a time. A
/// request that finds none running starts one at once on its own worker — alone, or with
/// whatever is queued — when the policy's delay is 0 or its queue holds `maxBatchRows`
/// rows; otherwise it arms a timer of `maxQueueDelayMicroseconds` and waits for company.
/// Requests that arrive while a batch runs queue up, and the next batch takes them as soon
/// as the running one is done (on the next worker, so the jobs queued on this one are not
/// starved). So an idle server adds no hop and no wait beyond the delay, and under load the
/// batch size follows the arrival rate by itself. A batch takes queued requests in arrival
/// order while their rows fit in `maxBatchRows` (at least one), concatenates their rows,
/// runs the stack once, and hands each caller exactly its own row range of the output. A
/// request of at least `maxBatchRows` rows, or any request when batching is off, runs alone
/// at once.
///
/// Concatenation first casts every part to the first layer's dtype — the cast the first
/// layer would make anyway — so a batched row is computed from the same values as alone.
final class DynamicBatcher: @unchecked Sendable {
    // `@unchecked Sendable`: `lock` guards `queues` and everything inside each `Queue`.
    private let pool: WorkerPool
    private let splitMinFLOPs: Int
    private let observer: (@Sendable (BatchObservation) -> Void)?
    private let lock = NSLock()
    private var queues: [Key: Queue] = [:]

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

        /// Removes the next batch: entries in order while their rows fit (at least one).
        func takeBatch() -> [Entry] {
            var total = 0
            var count = 0
            for entry in entries {
                if count > 0 && total + entry.rows > policy.maxBatchRows { break }
                total += entry.rows
                count += 1
            }
            let batch = Array(entries.prefix(count))
            entries.removeFirst(count)
            rows -= total
            return batch
        }

        var isIdle: Bool { entries.isEmpty && !running && !timerArmed }
    }

    private enum Action {
        case none
        case run(RegisteredModel, [Entry])
        case armTimer(Int)
    }

    init(pool: WorkerPool, splitMinFLOPs: Int, observer: (@Sendable (BatchObservation) -> Void)?) {
        self.pool = pool
        self.splitMinFLOPs = splitMinFLOPs
        self.observer = observer
    }

    /// Runs `rows` rows of `input` (width `model.model.inputDim`) through the model, batched
    /// with concurrent requests under `policy`, and calls `deliver` on a worker with this
    /// request's `rows·outputWidth` outputs. Call from inside an admitted job.
    func submit(
        model: RegisteredModel, policy: BatchingPolicy, rows: Int, input: TensorStorage,
        admitted: ContinuousClock.Instant, deliver: @escaping Delivery
    ) {
        precondition(rows >= 1 && input.count == rows * model.model.inputDim)
        let entry = Entry(rows: rows, input: input, admitted: admitted, deliver: deliver)
        guard policy.enabled && rows < policy.maxBatchRows else {
            run(model: model, [entry]) {}
            return
        }
        let key = Key(name: model.name, version: model.version)
        let action: Action = lock.withLock {
            let queue: Queue
            if let existing = queues[key] {
                queue = existing
            } else {
                queue = Queue(model: model, policy: policy)
                queues[key] = queue
            }
            queue.entries.append(entry)
            queue.rows += rows
            if queue.running { return .none }  // the running batch's successor takes it
            if queue.rows >= queue.policy.maxBatchRows || queue.policy.maxQueueDelayMicroseconds == 0 {
                queue.running = true
                return .run(queue.model, queue.takeBatch())
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

    /// The delay is over: run what is queued unless a batch is already running.
    private func timerFired(_ key: Key) {
        let action: Action = lock.withLock {
            guard let queue = queues[key] else { return .none }
            queue.timerArmed = false
            guard !queue.running, !queue.entries.isEmpty else {
                if queue.isIdle { queues[key] = nil }
                return .none
            }
            queue.running = true
            return .run(queue.model, queue.takeBatch())
        }
        if case .run(let model, let batch) = action { runChain(key, model, batch) }
    }

    /// Runs a batch, then the next one while requests are queued.
    private func runChain(_ key: Key, _ model: RegisteredModel, _ batch: [Entry]) {
        run(model: model, batch) {
            let next: [Entry]? = self.lock.withLock {
                guard let queue = self.queues[key] else { return nil }
                guard !queue.entries.isEmpty else {
                    queue.running = false
                    if queue.isIdle { self.queues[key] = nil }
                    return nil
                }
                return queue.takeBatch()
            }
            if let next { self.pool.async { self.runChain(key, model, next) } }
        }
    }

    /// Runs entries as one forward pass, delivers each its rows, then calls `then`.
    private func run(model registered: RegisteredModel, _ batch: [Entry], then: @escaping @Sendable () -> Void) {
        let model = registered.model
        let clock = ContinuousClock()
        let started = clock.now
        let rows = batch.reduce(0) { $0 + $1.rows }
        let input = batch.count == 1 ? batch[0].input : TensorStorage.concatenate(batch.map(\.input), dtype: model.layers[0].config.dtype)
        observer?(BatchObservation(model: registered.name, version: registered.version, requests: batch.count, rows: rows))
        pool.forward(model, rows: rows, input: input, splitMinFLOPs: splitMinFLOPs) { output in
            let computeMs = DenseService.milliseconds(clock.now - started)
            if batch.count == 1 {
                batch[0].deliver(output, .init(queueMs: DenseService.milliseconds(started - batch[0].admitted), computeMs: computeMs))
            } else {
                let width = model.outputWidth
                var low = 0
                for entry in batch {
                    let high = low + entry.rows * width
                    entry.deliver(output.slice(low..<high), .init(queueMs: DenseService.milliseconds(started - entry.admitted), computeMs: computeMs))
                    low = high
                }
            }
            then()
        }
    }
}
