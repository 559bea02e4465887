import DenseKernel
import TensorJSON

/// One Dense layer as a request describes it: config, optional weights, initializers.
public struct LayerSpec: Sendable {
    public var config: LayerConfig
    /// `[inputDim, units]` when the request sent a kernel.
    public var kernel: Tensor?
    /// `[units]` when the request sent a bias.
    public var bias: Tensor?
    public var kernelInitializer: Initializer
    public var biasInitializer: Initializer
    public var seed: UInt64
    /// The input dimension the request fixes for this layer (kernel rows or `build_config`).
    public var declaredInputDim: Int?
    /// JSON path for messages, e.g. `layers[1]`.
    public var field: String
}

/// One layer of a chain as a request describes it: a Dense layer (weights optional), or one
/// of the weight-light layers (a normalization's weights optional: Keras's initial ones).
public enum ChainLayerSpec: Sendable {
    case dense(LayerSpec)
    case elementwise(ElementwiseLayer, field: String)
    /// `weights` in Keras's variable order, each `[channels]`.
    case normalization(NormalizationConfig, weights: [Tensor]?, field: String)
    case reshape(ReshapeLayer, field: String)

    public var name: String { config.name }

    /// JSON path for messages, e.g. `layers[1]`.
    public var field: String {
        switch self {
        case .dense(let spec): spec.field
        case .elementwise(_, let field), .normalization(_, _, let field), .reshape(_, let field): field
        }
    }

    public var config: ChainLayerConfig {
        switch self {
        case .dense(let spec): .dense(spec.config)
        case .elementwise(let layer, _): .elementwise(layer)
        case .normalization(let config, _, _): .normalization(config)
        case .reshape(let layer, _): .reshape(layer)
        }
    }

    /// How many weight arrays the layer holds (Dense kernel and bias, a normalization's).
    public var weightCount: Int {
        switch self {
        case .dense(let spec): spec.config.useBias ? 2 : 1
        case .normalization(let config, _, _): config.weightNames.count
        case .elementwise, .reshape: 0
        }
    }

    /// The last-axis width the request fixes for this layer (kernel rows, `build_config`,
    /// a normalization's weight length).
    public var declaredInputDim: Int? {
        switch self {
        case .dense(let spec): spec.declaredInputDim
        case .normalization(_, let weights, _): weights?.first?.count
        case .elementwise, .reshape: nil
        }
    }
}

/// A chain of layers as a request describes it, before weights exist.
public struct ModelSpec: Sendable {
    public var name: String
    public var layers: [ChainLayerSpec]
    /// `InputLayer.batch_shape` (or a body's `input_shape`), when given.
    public var declaredInputShape: [Int?]?
    /// Where ``declaredInputShape`` came from, for messages (`input_shape`,
    /// `model.config.layers[0].config.batch_shape`, …).
    public var declaredInputShapeField = "input_shape"
    /// Set when the request describes a Keras model without its weights: describing its
    /// shapes works, building it (to predict or register) is refused with this message.
    public var missingWeights = false
    /// A Functional model's InputLayer name (shown first in its summary).
    public var inputLayerName: String?

    public init(name: String, layers: [ChainLayerSpec], declaredInputShape: [Int?]?) {
        self.name = name
        self.layers = layers
        self.declaredInputShape = declaredInputShape
    }

    /// Shapes and parameters for a symbolic input shape, without creating any weights.
    public func describe(inputShape: [Int?]) throws(DenseError) -> ModelDescription {
        if let declared = declaredInputShape, let want = declared.last ?? nil, let got = inputShape.last ?? nil, want != got {
            throw .shapeMismatch(
                "input last dimension is \(got) but the model's input shape \(ModelDescription.format(declared)) expects \(want)")
        }
        return try ModelDescription(
            name: name, configs: layers.map(\.config), inputDims: layers.map(\.declaredInputDim), inputShape: inputShape,
            inputLayerName: inputLayerName)
    }

    /// The input dimension of the first layer when the spec fixes it.
    public var knownInputDim: Int? {
        declaredInputShape?.last.flatMap { $0 } ?? layers.lazy.compactMap(\.declaredInputDim).first
    }

    /// Creates the weights (given or initialized) for input dimension `inputDim`.
    public func materialize(inputDim: Int, limits: DenseLimits) throws(DenseError) -> DenseModel {
        if missingWeights {
            throw .invalidField(
                field: "weights",
                expected:
                    "the list model.get_weights() gives beside a Keras \"model\" (without it the layers would serve their initializers' random values; only a shape-only request may leave it out)"
            )
        }
        if let declared = declaredInputShape {
            try Tensor.validateDeclaredShape(declared, limits: limits, field: declaredInputShapeField)
        }
        // Widths of the last axis through the chain; a reshape's is resolved from the declared
        // sample shape (DenseModel checks the whole chain again once it is built).
        var sample: [Int]? = nil
        if layers.contains(where: { if case .reshape = $0 { true } else { false } }), let declared = declaredInputShape,
            declared.count >= 2, declared.dropFirst().allSatisfy({ $0 != nil })
        {
            sample = declared.dropFirst().map { $0! }
        }
        var width = inputDim
        var built: [ChainLayer] = []
        built.reserveCapacity(layers.count)
        var totalParams = 0
        for (index, layer) in layers.enumerated() {
            if let declared = layer.declaredInputDim, declared != width {
                throw .shapeMismatch(
                    index == 0
                        ? "input last dimension is \(width) but layer \"\(layer.name)\" expects \(declared)"
                        : "layer \"\(layer.name)\" expects input dimension \(declared) but layer \"\(layers[index - 1].name)\" outputs \(width)"
                )
            }
            switch layer {
            case .dense(let spec):
                // The total is checked before the weights are made, so a long chain of large
                // layers fails before it allocates.
                let (sum, overflow) = totalParams.addingReportingOverflow(spec.config.parameterCount(inputDim: width) ?? Int.max)
                guard !overflow, sum <= limits.maxParams else {
                    throw .limitExceeded(what: "model parameter count", value: overflow ? Int.max : sum, limit: limits.maxParams)
                }
                let dense = try spec.materialize(inputDim: width, limits: limits)
                totalParams = sum
                built.append(.dense(dense))
            case .elementwise(let element, _):
                built.append(.elementwise(element))
            case .normalization(let config, let weights, let field):
                guard let counts = config.parameterCounts(channels: width), counts.0 + counts.1 <= limits.maxParams else {
                    throw .limitExceeded(what: "parameter count of layer \"\(config.name)\"", value: Int.max, limit: limits.maxParams)
                }
                totalParams += counts.0 + counts.1
                // Keras's initial values: gamma and moving_variance ones, beta and moving_mean zeros.
                let values =
                    weights?.map { $0.storage }
                    ?? config.weightNames.map { name in
                        let value: Double = name == "gamma" || name == "moving_variance" ? 1 : 0
                        return TensorStorage.float64([Double](repeating: value, count: width)).converted(to: config.dtype)
                    }
                built.append(.normalization(try NormalizationLayer(config: config, channels: width, weights: values, field: field)))
            case .reshape(let reshape, _):
                built.append(.reshape(reshape))
            }
            guard totalParams <= limits.maxParams else {
                throw .limitExceeded(what: "model parameter count", value: totalParams, limit: limits.maxParams)
            }
            if case .reshape(let reshape, _) = layer, let current = sample,
                let resolved = reshape.resolve(elements: current.checkedProduct()!)
            {
                sample = resolved
                width = resolved.last!
            } else {
                width = built[built.count - 1].outputWidth(inputWidth: width)
                if let current = sample { sample = Array(current.dropLast()) + [width] }
            }
            // One sample of any layer's output must fit the element limit (a pass has ≥ 1 row),
            // checked here, before the next layer's weights are made.
            if let sample, (sample.checkedProduct() ?? Int.max) > limits.maxElements {
                throw .limitExceeded(
                    what: "element count of one sample after layer \"\(layer.name)\"", value: sample.checkedProduct() ?? Int.max,
                    limit: limits.maxElements)
            }
        }
        var model = try DenseModel(name: name, layers: built, declaredInputShape: declaredInputShape)
        model.inputLayerName = inputLayerName
        return model
    }
}

extension LayerSpec {
    /// The Dense layer with its given or initialized weights, for input dimension `width`.
    func materialize(inputDim width: Int, limits: DenseLimits) throws(DenseError) -> DenseLayer {
        guard let params = config.parameterCount(inputDim: width), params <= limits.maxParams,
            width.multipliedReportingOverflow(by: config.units).partialValue <= limits.maxElements
        else {
            throw .limitExceeded(
                what: "parameter count of layer \"\(config.name)\"",
                value: config.parameterCount(inputDim: width) ?? Int.max, limit: Swift.min(limits.maxParams, limits.maxElements))
        }
        let dtype = config.dtype
        let kernel = self.kernel?.storage ?? Self.storage(kernelInitializer.values(shape: [width, config.units], seed: seed), dtype)
        let bias: TensorStorage? =
            config.useBias
            ? (self.bias?.storage ?? Self.storage(biasInitializer.values(shape: [config.units], seed: seed &+ 0x5bd1_e995), dtype))
            : nil
        return try DenseLayer(config: config, inputDim: width, kernel: kernel, bias: bias, field: field, limits: limits)
    }

    private static func storage(_ values: [Double], _ dtype: DType) -> TensorStorage {
        dtype == .float32 ? .float32(values.map(Float.init)) : .float64(values)
    }
}
