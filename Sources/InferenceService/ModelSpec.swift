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

/// A Sequential stack of Dense layers as a request describes it, before weights exist.
public struct ModelSpec: Sendable {
    public var name: String
    public var layers: [LayerSpec]
    /// `InputLayer.batch_shape` (or a body's `input_shape`), when given.
    public var declaredInputShape: [Int?]?
    /// Where ``declaredInputShape`` came from, for messages (`input_shape`,
    /// `model.config.layers[0].config.batch_shape`, …).
    public var declaredInputShapeField = "input_shape"

    /// Shapes and parameters for a symbolic input shape, without creating any weights.
    public func describe(inputShape: [Int?]) throws(DenseError) -> ModelDescription {
        if let declared = declaredInputShape, let want = declared.last ?? nil, let got = inputShape.last ?? nil, want != got {
            throw .shapeMismatch(
                "input last dimension is \(got) but the model's input shape \(ModelDescription.format(declared)) expects \(want)")
        }
        return try ModelDescription(
            name: name, configs: layers.map(\.config), inputDims: layers.map(\.declaredInputDim), inputShape: inputShape)
    }

    /// The input dimension of the first layer when the spec fixes it.
    public var knownInputDim: Int? {
        layers.first?.declaredInputDim ?? declaredInputShape?.last ?? nil
    }

    /// Creates the weights (given or initialized) for input dimension `inputDim`.
    public func materialize(inputDim: Int, limits: DenseLimits) throws(DenseError) -> DenseModel {
        if let declared = declaredInputShape {
            try Tensor.validateDeclaredShape(declared, limits: limits, field: declaredInputShapeField)
        }
        var width = inputDim
        var built: [DenseLayer] = []
        built.reserveCapacity(layers.count)
        var totalParams = 0
        for (index, spec) in layers.enumerated() {
            if let declared = spec.declaredInputDim, declared != width {
                throw .shapeMismatch(
                    index == 0
                        ? "input last dimension is \(width) but layer \"\(spec.config.name)\" expects \(declared)"
                        : "layer \"\(spec.config.name)\" expects input dimension \(declared) but layer \"\(layers[index - 1].config.name)\" outputs \(width)"
                )
            }
            guard let params = spec.config.parameterCount(inputDim: width), params <= limits.maxParams,
                width.multipliedReportingOverflow(by: spec.config.units).partialValue <= limits.maxElements
            else {
                throw .limitExceeded(
                    what: "parameter count of layer \"\(spec.config.name)\"",
                    value: spec.config.parameterCount(inputDim: width) ?? Int.max, limit: Swift.min(limits.maxParams, limits.maxElements))
            }
            totalParams += params
            guard totalParams <= limits.maxParams else {
                throw .limitExceeded(what: "model parameter count", value: totalParams, limit: limits.maxParams)
            }
            let dtype = spec.config.dtype
            let kernel =
                spec.kernel?.storage
                ?? Self.storage(spec.kernelInitializer.values(shape: [width, spec.config.units], seed: spec.seed), dtype)
            let bias: TensorStorage? =
                spec.config.useBias
                ? (spec.bias?.storage
                    ?? Self.storage(spec.biasInitializer.values(shape: [spec.config.units], seed: spec.seed &+ 0x5bd1_e995), dtype))
                : nil
            built.append(
                try DenseLayer(config: spec.config, inputDim: width, kernel: kernel, bias: bias, field: spec.field, limits: limits))
            width = spec.config.outputWidth
        }
        return try DenseModel(name: name, layers: built, declaredInputShape: declaredInputShape)
    }

    private static func storage(_ values: [Double], _ dtype: DType) -> TensorStorage {
        dtype == .float32 ? .float32(values.map(Float.init)) : .float64(values)
    }
}
