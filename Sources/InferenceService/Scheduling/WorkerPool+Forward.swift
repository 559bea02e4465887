import DenseKernel

extension WorkerPool {
    /// Runs `rows` rows of `input` through `model` and calls `completion` with the
    /// `rows·outputWidth` outputs, on a worker. Called from inside an admitted job.
    ///
    /// When the pass has at least `splitMinFLOPs` FLOPs and there is more than one worker,
    /// the rows are split into one contiguous chunk per worker and the chunks concatenated
    /// in order; rows are independent, so the result does not depend on the split.
    func forward(
        _ model: DenseModel, rows: Int, input: TensorStorage, splitMinFLOPs: Int,
        completion: @escaping @Sendable (TensorStorage) -> Void
    ) {
        let chunks = min(workerCount, rows)
        guard chunks > 1 && model.flops(rows: rows) >= splitMinFLOPs else {
            completion(model.forward(rows: rows, input: input))
            return
        }
        let per = (rows + chunks - 1) / chunks
        let rowWidth = model.rowWidth
        split(count: chunks) { index in
            let low = min(rows, index * per)
            let high = min(rows, low + per)
            if low == high { return TensorStorage.float32([]).converted(to: model.outputDType) }
            return model.forward(rows: high - low, input: input.slice((low * rowWidth)..<(high * rowWidth)))
        } completion: { parts in
            completion(TensorStorage.concatenate(parts, dtype: model.outputDType))
        }
    }
}
