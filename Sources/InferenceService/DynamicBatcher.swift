import DenseKernel
import Foundation

/// Combines concurrent requests to the same registered model and version into one
/// forward pass (one GEMM per layer).
///
/// Each request arrives already decoded and validated, as `rows` rows of the model's input
/// width (its leading axes flattened), from inside a job the ``WorkerPool`` admitted: the
/// job keeps its admission slot until its rows are delivered, so bounded admission (503
/// when full) covers queued requests too. The first request queued for a model schedules a
/// drain after the policy's delay on a worker; a queue that reaches `maxBatchRows` rows is
/// drained at once. A drain takes queued requests in arrival order while their rows fit in
/// `maxBatchRows` (at least one), concatenates their rows, runs the stack once, and hands
/// each caller exactly its own row range of the output. A request of at least
/// `maxBatchRows` rows, or any request when batching is off, runs alone at once.
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
        /// Drains scheduled and not yet started.
        var scheduled = 0
        init(model: RegisteredModel, policy: BatchingPolicy) {
            self.model = model
            self.policy = policy
        }
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
        guard policy.enabled && rows < policy.maxBatchRows else {
            run(model: model, [Entry(rows: rows, input: input, admitted: admitted, deliver: deliver)])
            return
        }
        let key = Key(name: model.name, version: model.version)
        let schedule: Int? = lock.withLock {
            let queue: Queue
            if let existing = queues[key] {
                queue = existing
            } else {
                queue = Queue(model: model, policy: policy)
                queues[key] = queue
            }
            queue.entries.append(Entry(rows: rows, input: input, admitted: admitted, deliver: deliver))
            queue.rows += rows
            if queue.rows >= queue.policy.maxBatchRows {
                queue.scheduled += 1
                return 0
            }
            if queue.scheduled == 0 {
                queue.scheduled += 1
                return queue.policy.maxQueueDelayMicroseconds
            }
            return nil
        }
        if let delay = schedule {
            pool.async(afterMicroseconds: delay) { self.drain(key) }
        }
    }

    /// Takes one batch off the queue of `key` and runs it; leaves a drain scheduled while
    /// requests remain.
    private func drain(_ key: Key) {
        let taken: (RegisteredModel, [Entry], again: Bool)? = lock.withLock {
            guard let queue = queues[key] else { return nil }
            queue.scheduled -= 1
            var batch: [Entry] = []
            var rows = 0
            var count = 0
            for entry in queue.entries {
                if count > 0 && rows + entry.rows > queue.policy.maxBatchRows { break }
                rows += entry.rows
                count += 1
            }
            batch = Array(queue.entries.prefix(count))
            queue.entries.removeFirst(count)
            queue.rows -= rows
            var again = false
            if !queue.entries.isEmpty && queue.scheduled == 0 {
                // The rest has waited already: run it as soon as a worker is free.
                queue.scheduled += 1
                again = true
            }
            if queue.entries.isEmpty && queue.scheduled == 0 { queues[key] = nil }
            return (queue.model, batch, again)
        }
        guard let (model, batch, again) = taken else { return }
        if again { pool.async { self.drain(key) } }
        if !batch.isEmpty { run(model: model, batch) }
    }

    /// Runs entries as one forward pass and delivers each its rows.
    private func run(model registered: RegisteredModel, _ batch: [Entry]) {
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
                return
            }
            let width = model.outputWidth
            var starts: [Int] = []
            var offset = 0
            for entry in batch {
                starts.append(offset)
                offset += entry.rows
            }
            let offsets = starts
            // Responses are encoded on every worker, not only on the one that ran the batch.
            let parts = min(self.pool.workerCount, batch.count)
            self.pool.split(count: parts) { part in
                for index in stride(from: part, to: batch.count, by: parts) {
                    let entry = batch[index]
                    let low = offsets[index] * width
                    entry.deliver(
                        output.slice(low..<(low + entry.rows * width)),
                        .init(queueMs: DenseService.milliseconds(started - entry.admitted), computeMs: computeMs))
                }
                return 0
            } completion: { _ in }
        }
    }
}
