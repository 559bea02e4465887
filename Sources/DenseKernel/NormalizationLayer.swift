/// Which normalization a ``NormalizationLayer`` is.
public enum NormalizationKind: Sendable, Equatable {
    /// `BatchNormalization(axis=-1)` in its inference form, with the moving statistics.
    case batch
    /// `LayerNormalization(axis=-1)` without `rms_scaling`: statistics of each vector.
    case layer

    public var className: String { self == .batch ? "BatchNormalization" : "LayerNormalization" }
}

/// A normalization's configuration without weights.
public struct NormalizationConfig: Sendable, Equatable {
    public var name: String
    public var kind: NormalizationKind
    public var epsilon: Double
    /// Keras's `center`: a `beta` offset exists.
    public var center: Bool
    /// Keras's `scale`: a `gamma` factor exists.
    public var scale: Bool
    public var dtype: DType
    public var trainable: Bool

    public init(
        name: String, kind: NormalizationKind, epsilon: Double, center: Bool = true, scale: Bool = true, dtype: DType = .float32,
        trainable: Bool = true
    ) {
        self.name = name
        self.kind = kind
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.dtype = dtype
        self.trainable = trainable
    }

    /// The weights Keras holds for `channels`, in its variable order: `gamma` (if `scale`),
    /// `beta` (if `center`), then for BatchNormalization `moving_mean` and `moving_variance`.
    public var weightNames: [String] {
        (scale ? ["gamma"] : []) + (center ? ["beta"] : []) + (kind == .batch ? ["moving_mean", "moving_variance"] : [])
    }

    /// `(trainable, non-trainable)` parameters for `channels`, or nil on overflow.
    public func parameterCounts(channels: Int) -> (trainable: Int, nonTrainable: Int)? {
        let learned = (scale ? 1 : 0) + (center ? 1 : 0)
        let statistics = kind == .batch ? 2 : 0
        let (trainable, overflow1) = channels.multipliedReportingOverflow(by: learned)
        let (fixed, overflow2) = channels.multipliedReportingOverflow(by: statistics)
        guard !overflow1, !overflow2, !trainable.addingReportingOverflow(fixed).overflow else { return nil }
        return self.trainable ? (trainable, fixed) : (0, trainable + fixed)
    }
}

/// `BatchNormalization` or `LayerNormalization` on the last axis, with its weights.
///
/// Formulas (Keras 3 on TensorFlow, `tf.nn.batch_normalization` and `ops.layer_normalization`),
/// computed in the layer's dtype:
/// - batch: `inv = γ / √(moving_variance + ε)`, `y = x·inv + (β − moving_mean·inv)`;
/// - layer: mean `μ` and variance `σ²` of each vector (accumulated in `Double`), then
///   `inv = γ / √(σ² + ε)`, `y = x·inv + (β − μ·inv)`.
/// Absent `gamma`/`beta` (`scale`/`center` false) are 1 and 0.
public struct NormalizationLayer: Sendable, Equatable {
    public var config: NormalizationConfig
    /// Width of the last axis the layer normalizes.
    public let channels: Int
    public let gamma: TensorStorage?
    public let beta: TensorStorage?
    public let movingMean: TensorStorage?
    public let movingVariance: TensorStorage?

    /// Creates the layer, checking that every weight the config implies is there with
    /// `channels` values (and no other).
    /// - Parameter weights: Keras's variable order (``NormalizationConfig/weightNames``).
    public init(config: NormalizationConfig, channels: Int, weights: [TensorStorage], field: String = "layer") throws(DenseError) {
        guard channels >= 1 else { throw .invalidField(field: field, expected: "at least one channel") }
        let names = config.weightNames
        guard weights.count == names.count else {
            throw .invalidField(
                field: "\(field).weights", expected: "\(names.count) arrays (\(names.joined(separator: ", "))), got \(weights.count)")
        }
        for (name, weight) in zip(names, weights) where weight.count != channels {
            throw .shapeMismatch("\(field) \(name) has \(weight.count) values but the layer normalizes \(channels) channels")
        }
        var remaining = weights.map { $0.converted(to: config.dtype) }[...]
        self.config = config
        self.channels = channels
        self.gamma = config.scale ? remaining.popFirst() : nil
        self.beta = config.center ? remaining.popFirst() : nil
        self.movingMean = config.kind == .batch ? remaining.popFirst() : nil
        self.movingVariance = config.kind == .batch ? remaining.popFirst() : nil
    }

    public var name: String { config.name }
    public var kind: NormalizationKind { config.kind }
    public var dtype: DType { config.dtype }
    public var parameterCounts: (trainable: Int, nonTrainable: Int) { config.parameterCounts(channels: channels)! }

    /// The weights in Keras's variable order.
    public var weights: [TensorStorage] { [gamma, beta, movingMean, movingVariance].compactMap { $0 } }

    func apply(vectors: Int, input: TensorStorage) -> TensorStorage {
        switch input {
        case .float32(let values): .float32(apply(values, vectors: vectors))
        case .float64(let values): .float64(apply(values, vectors: vectors))
        }
    }

    // Shape: input [vectors, channels] → output [vectors, channels]
    private func apply<T: DenseScalar>(_ input: [T], vectors: Int) -> [T] {
        precondition(input.count == vectors * channels, "input has \(input.count) values, expected \(vectors)×\(channels)")
        let gamma = self.gamma.map { T.values(of: $0) }
        let beta = self.beta.map { T.values(of: $0) }
        let epsilon = T(config.epsilon)
        var output = input
        switch config.kind {
        case .batch:
            let mean = T.values(of: movingMean!)
            let variance = T.values(of: movingVariance!)
            var scale = [T](repeating: 0, count: channels)
            var offset = [T](repeating: 0, count: channels)
            for c in 0..<channels {
                var inv = 1 / T.sqrt(variance[c] + epsilon)
                if let gamma { inv *= gamma[c] }
                scale[c] = inv
                offset[c] = (beta?[c] ?? 0) - mean[c] * inv
            }
            for v in 0..<vectors {
                let base = v * channels
                for c in 0..<channels { output[base + c] = input[base + c] * scale[c] + offset[c] }
            }
        case .layer:
            for v in 0..<vectors {
                let base = v * channels
                var sum = 0.0
                for c in 0..<channels { sum += Double(input[base + c]) }
                let mean = sum / Double(channels)
                var squares = 0.0
                for c in 0..<channels {
                    let d = Double(input[base + c]) - mean
                    squares += d * d
                }
                let inv = 1 / T.sqrt(T(squares / Double(channels)) + epsilon)
                let shift = -T(mean)
                for c in 0..<channels {
                    let factor = gamma.map { inv * $0[c] } ?? inv
                    output[base + c] = input[base + c] * factor + (shift * factor + (beta?[c] ?? 0))
                }
            }
        }
        return output
    }
}
