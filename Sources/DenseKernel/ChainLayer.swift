/// One layer of a straight chain, with its weights: a Keras `Dense`, or one of the weight-light
/// layers real MLPs are saved with (activations, inference-time identities, normalizations,
/// reshapes).
///
/// Every layer but ``reshape(_:)`` acts on the last axis only, so its answer for one vector
/// of the last axis depends on that vector alone (batch invariance). A reshape moves no
/// values: row-major storage is the same before and after, only the shape changes.
public enum ChainLayer: Sendable, Equatable {
    case dense(DenseLayer)
    case elementwise(ElementwiseLayer)
    case normalization(NormalizationLayer)
    case reshape(ReshapeLayer)

    /// The layer's name as Keras shows it (`dense`, `dropout_1`, …).
    public var name: String { config.name }

    /// The Keras class shown in the summary (`Dense`, `Dropout`, `BatchNormalization`, …).
    public var className: String { config.className }

    /// The width of the last axis the layer needs, when it fixes one (kernel rows, channels).
    public var requiredInputWidth: Int? {
        switch self {
        case .dense(let layer): layer.inputDim
        case .normalization(let layer): layer.channels
        case .elementwise, .reshape: nil
        }
    }

    /// The width of the last axis after the layer, given the width before it (reshapes are
    /// resolved by the model, which knows the whole sample shape).
    public func outputWidth(inputWidth: Int) -> Int {
        switch self {
        case .dense(let layer): layer.outputWidth
        case .elementwise(let layer): layer.function.outputWidth(inputWidth)
        case .normalization: inputWidth
        case .reshape(let layer): layer.targetShape.last ?? inputWidth
        }
    }

    /// The compute dtype the layer casts its input to; nil for layers that move no values.
    public var dtype: DType? {
        switch self {
        case .dense(let layer): layer.config.dtype
        case .elementwise(let layer): layer.dtype
        case .normalization(let layer): layer.dtype
        case .reshape: nil
        }
    }

    /// Parameters: `(trainable, non-trainable)`. A BatchNormalization's moving statistics are
    /// never trainable; a layer with `trainable: false` has only non-trainable ones.
    public var parameterCounts: (trainable: Int, nonTrainable: Int) {
        switch self {
        case .dense(let layer): layer.config.trainable ? (layer.params, 0) : (0, layer.params)
        case .normalization(let layer): layer.parameterCounts
        case .elementwise, .reshape: (0, 0)
        }
    }

    /// The configuration without weights, for describing shapes.
    public var config: ChainLayerConfig {
        switch self {
        case .dense(let layer): .dense(layer.config)
        case .elementwise(let layer): .elementwise(layer)
        case .normalization(let layer): .normalization(layer.config)
        case .reshape(let layer): .reshape(layer)
        }
    }

    /// Runs the layer on `vectors` vectors of `width` values each (the last axis), in place
    /// where it can. The input is cast to the layer's dtype first, as Keras casts it.
    func forward(vectors: Int, width: Int, input: TensorStorage, reference: Bool) -> TensorStorage {
        switch self {
        case .dense(let layer):
            guard layer.config.mixedFloat16 else {
                return layer.forward(rows: vectors, input: input.converted(to: layer.config.dtype), reference: reference)
            }
            let halfInput = input.converted(to: layer.config.dtype).roundedToFloat16()
            return layer.forward(rows: vectors, input: halfInput, reference: reference).roundedToFloat16()
        case .elementwise(let layer):
            let output = layer.apply(vectors: vectors, width: width, input: input.converted(to: layer.dtype))
            return layer.mixedFloat16 ? output.roundedToFloat16() : output
        case .normalization(let layer):
            return layer.apply(vectors: vectors, input: input.converted(to: layer.dtype))
        case .reshape:
            return input
        }
    }
}

/// A chain layer's configuration without weights: what describing shapes and counting
/// parameters needs.
public enum ChainLayerConfig: Sendable, Equatable {
    case dense(LayerConfig)
    case elementwise(ElementwiseLayer)
    case normalization(NormalizationConfig)
    case reshape(ReshapeLayer)

    /// The layer's name as Keras shows it (`dense`, `dropout_1`, …).
    public var name: String {
        switch self {
        case .dense(let config): config.name
        case .elementwise(let layer): layer.name
        case .normalization(let config): config.name
        case .reshape(let layer): layer.name
        }
    }

    /// The Keras class shown in the summary (`Dense`, `Dropout`, `BatchNormalization`, …).
    public var className: String {
        switch self {
        case .dense: "Dense"
        case .elementwise(let layer): layer.className
        case .normalization(let config): config.kind.className
        case .reshape(let layer): layer.className
        }
    }

    /// Bytes per parameter (the dtype of the stored weights).
    public var weightByteSize: Int {
        switch self {
        case .dense(let config): config.dtype.byteSize
        case .normalization(let config): config.dtype.byteSize
        case .elementwise(let layer): layer.dtype.byteSize
        case .reshape: 4
        }
    }
}

/// A layer that maps each value, or each vector of the last axis, on its own and holds no
/// weights: `Activation`, `ReLU`, `LeakyReLU`, `ELU`, `Softmax`, and the layers that are the
/// identity at inference (`Dropout`, `GaussianNoise`, `GaussianDropout`, `AlphaDropout`).
public struct ElementwiseLayer: Sendable, Equatable {
    public var name: String
    /// The Keras class, kept for the summary.
    public var className: String
    public var function: ElementwiseFunction
    public var dtype: DType
    /// Keras's `mixed_float16` policy: the output is rounded to float16.
    public var mixedFloat16 = false

    public init(name: String, className: String, function: ElementwiseFunction, dtype: DType = .float32) {
        self.name = name
        self.className = className
        self.function = function
        self.dtype = dtype
    }

    func apply(vectors: Int, width: Int, input: TensorStorage) -> TensorStorage {
        switch input {
        case .float32(let values): .float32(function.apply(values, vectors: vectors, width: width))
        case .float64(let values): .float64(function.apply(values, vectors: vectors, width: width))
        }
    }
}

/// What an ``ElementwiseLayer`` computes, with Keras's formulas (`keras.layers` 3.x).
public enum ElementwiseFunction: Sendable, Equatable {
    /// Dropout and the noise layers: they change nothing outside training.
    case identity
    /// An `Activation(name)` layer, `Softmax(axis=-1)`, or a `ReLU()` with default arguments.
    case activation(Activation)
    /// `LeakyReLU(negative_slope)`: `x` for `x ≥ 0`, else `slope·x` (the layer's default
    /// slope is 0.3, not the 0.2 of the `leaky_relu` activation).
    case leakyReLU(negativeSlope: Double)
    /// `ELU(alpha)`: `x` for `x > 0`, else `alpha·(eˣ − 1)`.
    case elu(alpha: Double)
    /// `ReLU(max_value, negative_slope, threshold)` as `keras.activations.relu` computes it:
    /// `x·[x > threshold]` (or `max(x, 0)` when the threshold is 0), clipped to
    /// `[0, max_value]`, minus `negative_slope·max(threshold − x, 0)`.
    case relu(maxValue: Double?, negativeSlope: Double, threshold: Double)

    /// Width of the last axis after the function (`glu` halves it).
    public func outputWidth(_ width: Int) -> Int {
        if case .activation(let activation) = self { return activation.outputWidth(units: width) }
        return width
    }

    func apply<T: DenseScalar>(_ input: [T], vectors: Int, width: Int) -> [T] {
        var values = input
        switch self {
        case .identity:
            return values
        case .activation(let activation):
            values.withUnsafeMutableBufferPointer { activation.apply($0, rows: vectors, width: width, bias: nil) }
            if activation == .glu { values.removeLast(vectors * (width - width / 2)) }
        case .leakyReLU(let slope):
            let slope = T(slope)
            for index in values.indices where values[index] < 0 { values[index] *= slope }
        case .elu(let alpha):
            let alpha = T(alpha)
            for index in values.indices where values[index] <= 0 { values[index] = alpha * T.expMinusOne(values[index]) }
        case .relu(let maxValue, let negativeSlope, let threshold):
            let threshold = T(threshold)
            let slope = T(negativeSlope)
            let ceiling = maxValue.map { T($0) }
            for index in values.indices {
                let x = values[index]
                if x.isNaN { continue }
                var y = threshold != 0 ? (x > threshold ? x : 0) : Swift.max(x, 0)
                if let ceiling { y = Swift.min(Swift.max(y, 0), ceiling) }
                if slope != 0 { y -= slope * Swift.max(threshold - x, 0) }
                values[index] = y
            }
        }
        return values
    }
}

/// A `Flatten` or `Reshape` layer: a new shape for each sample, the batch axis kept.
public struct ReshapeLayer: Sendable, Equatable {
    public var name: String
    /// `Flatten` or `Reshape`.
    public var className: String
    /// The shape of one sample after the layer (`-1`, if the config had one, resolved by the
    /// model from the sample's element count; a `Flatten` is `[-1]`).
    public var targetShape: [Int]

    public init(name: String, className: String, targetShape: [Int]) {
        self.name = name
        self.className = className
        self.targetShape = targetShape
    }

    /// The sample shape after the layer for a sample of `elements` values, or nil when the
    /// target cannot hold exactly that many.
    public func resolve(elements: Int) -> [Int]? {
        let unknown = targetShape.filter { $0 == -1 }.count
        guard unknown <= 1, targetShape.allSatisfy({ $0 == -1 || $0 >= 1 }) else { return nil }
        guard let known = targetShape.filter({ $0 != -1 }).checkedProduct(), known >= 1 else { return nil }
        if unknown == 0 { return known == elements ? targetShape : nil }
        guard elements % known == 0, elements / known >= 1 else { return nil }
        return targetShape.map { $0 == -1 ? elements / known : $0 }
    }
}
