import DenseKernel

/// A model's weights as Keras's `model.get_weights()` lists them: for each Dense layer its
/// kernel `[inputDim, units]` (row-major) then its bias `[units]`; for each normalization
/// gamma, beta, moving mean and variance (those it has), each `[channels]`. Every array is in
/// its layer's dtype (a `mixed_float16` layer's as served: float16 values kept as float32).
extension DenseModel {
    /// One array of `get_weights()`: its shape and element dtype.
    struct WeightArray: Equatable {
        var shape: [Int]
        var dtype: DType
        /// `shape`'s product times the element size (the model was built, so it fits).
        var byteCount: Int { shape.reduce(dtype.byteSize, *) }
    }

    /// The arrays of `get_weights()`, in order.
    var weightArrays: [WeightArray] {
        layers.flatMap { layer -> [WeightArray] in
            switch layer {
            case .dense(let dense):
                let kernel = WeightArray(shape: [dense.inputDim, dense.units], dtype: dense.config.dtype)
                return dense.bias == nil ? [kernel] : [kernel, WeightArray(shape: [dense.units], dtype: dense.config.dtype)]
            case .normalization(let normalization):
                return normalization.weights.map { _ in WeightArray(shape: [normalization.channels], dtype: normalization.dtype) }
            case .elementwise, .reshape:
                return []
            }
        }
    }

    /// Calls `body` with the little-endian bytes of every array of `get_weights()`, in order,
    /// in pieces: a kernel is unpacked from its ``PackedKernel`` whole rows at a time, at most
    /// `chunkBytes` (at least one row), so no row-major copy of a whole kernel is made.
    func forEachWeightChunk<E: Error>(chunkBytes: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) throws(E) -> Void) throws(E) {
        func each(_ storage: TensorStorage) throws(E) {
            switch storage {
            case .float32(let values): try values.withBytes(body)  // little-endian on every target we build
            case .float64(let values): try values.withBytes(body)
            }
        }
        for layer in layers {
            switch layer {
            case .dense(let dense):
                try dense.packedKernel.forEachRowMajorChunk(chunkBytes: chunkBytes, body)
                if let bias = dense.bias { try each(bias) }
            case .normalization(let normalization):
                for weight in normalization.weights { try each(weight) }
            case .elementwise, .reshape:
                break
            }
        }
    }
}
