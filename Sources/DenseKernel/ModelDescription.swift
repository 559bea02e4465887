/// Shapes and parameter counts of one layer, as Keras reports them.
public struct LayerDescription: Sendable, Equatable {
    public var name: String
    /// The Keras class (`Dense`, `Dropout`, `BatchNormalization`, …).
    public var className: String
    /// The Dense configuration; nil for the other layers.
    public var dense: LayerConfig?
    /// The compute dtype; nil for layers that move no values (Flatten, Reshape).
    public var dtype: DType?
    public var trainable: Bool
    public var inputShape: [Int?]
    public var outputShape: [Int?]
    /// `[inputDim, units]` for a Dense layer.
    public var kernelShape: [Int]?
    /// `[units]` for a Dense layer with a bias.
    public var biasShape: [Int]?
    public var params: Int
    /// The part of ``params`` that is not trainable (moving statistics, frozen layers).
    public var nonTrainableParams: Int
    /// Keras's `mixed_float16` policy (``dtype`` is the variables' float32).
    public var mixedFloat16 = false

    public var units: Int? { dense?.units }
    public var activation: Activation? { dense?.activation }
    public var useBias: Bool? { dense?.useBias }
}

/// Per-layer shapes, parameter totals and the `model.summary()` text of a model.
public struct ModelDescription: Sendable, Equatable {
    public var name: String
    public var inputShape: [Int?]
    public var outputShape: [Int?]
    public var layers: [LayerDescription]
    public var totalParams: Int
    public var trainableParams: Int
    public var nonTrainableParams: Int
    /// Bytes of all parameters in their dtypes (Keras prints it beside the totals).
    public var totalBytes: Int
    public var trainableBytes: Int

    /// Dense-only chains (kept for callers that hold Dense configs).
    public init(name: String, configs: [LayerConfig], inputDims: [Int?], inputShape: [Int?]) throws(DenseError) {
        try self.init(name: name, configs: configs.map(ChainLayerConfig.dense), inputDims: inputDims, inputShape: inputShape)
    }

    /// Infers shapes for layer configs given the last-axis width each layer needs (a Dense
    /// layer's kernel rows, a normalization's channels) where known, without weights.
    /// - Throws: `shapeMismatch` when the input's last dimension or a layer chain disagrees,
    ///   or a reshape cannot hold the sample; `invalidField` when a reshape meets an unknown
    ///   sample dimension.
    /// - Parameter inputLayerName: a Functional model's InputLayer, which Keras lists as the
    ///   first layer of its summary (a Sequential's it leaves out).
    public init(
        name: String, configs: [ChainLayerConfig], inputDims: [Int?], inputShape: [Int?], inputLayerName: String? = nil
    ) throws(DenseError) {
        guard !configs.isEmpty else { throw .invalidField(field: "layers", expected: "at least one Dense layer") }
        guard !inputShape.isEmpty else { throw .invalidField(field: "input_shape", expected: "a shape of rank at least 1") }
        guard let lastDim = inputShape.last!, lastDim >= 1 else {
            throw .invalidField(field: "input_shape", expected: "a positive integer as the last dimension")
        }
        self.name = name
        self.inputShape = inputShape
        var current = inputShape
        var width = lastDim
        var layers: [LayerDescription] = []
        if let inputLayerName {
            layers.append(
                LayerDescription(
                    name: inputLayerName, className: "InputLayer", dense: nil, dtype: nil, trainable: true, inputShape: inputShape,
                    outputShape: inputShape, kernelShape: nil, biasShape: nil, params: 0, nonTrainableParams: 0))
        }
        var total = 0, trainable = 0, totalBytes = 0, trainableBytes = 0
        for (index, config) in configs.enumerated() {
            if let declared = inputDims[index], declared != width {
                throw .shapeMismatch(
                    index == 0
                        ? "input last dimension is \(width) but layer \"\(config.name)\" expects \(declared)"
                        : "layer \"\(config.name)\" expects input dimension \(declared) but layer \"\(configs[index - 1].name)\" outputs \(width)"
                )
            }
            var description = LayerDescription(
                name: config.name, className: config.className, dense: nil, dtype: nil, trainable: true, inputShape: current,
                outputShape: current, kernelShape: nil, biasShape: nil, params: 0, nonTrainableParams: 0)
            var layerTrainable = 0
            var layerFixed = 0
            switch config {
            case .dense(let dense):
                guard let params = dense.parameterCount(inputDim: width) else {
                    throw .limitExceeded(what: "parameter count of layer \"\(dense.name)\"", value: Int.max, limit: Int.max)
                }
                description.dense = dense
                description.dtype = dense.dtype
                description.mixedFloat16 = dense.mixedFloat16
                description.trainable = dense.trainable
                description.kernelShape = [width, dense.units]
                description.biasShape = dense.useBias ? [dense.units] : nil
                description.outputShape = Array(current.dropLast()) + [dense.outputWidth]
                (layerTrainable, layerFixed) = dense.trainable ? (params, 0) : (0, params)
                width = dense.outputWidth
            case .elementwise(let layer):
                if case .activation(.glu) = layer.function, width % 2 != 0 {
                    throw .invalidValue(
                        field: "layers[\(index)]",
                        detail: "activation \"glu\" splits the last axis in halves and needs an even width, got \(width)")
                }
                description.dtype = layer.dtype
                description.mixedFloat16 = layer.mixedFloat16
                width = layer.function.outputWidth(width)
                description.outputShape = Array(current.dropLast()) + [width]
            case .normalization(let normalization):
                guard let counts = normalization.parameterCounts(channels: width) else {
                    throw .limitExceeded(what: "parameter count of layer \"\(normalization.name)\"", value: Int.max, limit: Int.max)
                }
                description.dtype = normalization.dtype
                description.trainable = normalization.trainable
                (layerTrainable, layerFixed) = counts
            case .reshape(let reshape):
                guard current.count >= 2, current[0] == nil, current.dropFirst().allSatisfy({ $0 != nil }) else {
                    throw .invalidField(
                        field: "input_shape",
                        expected:
                            "only the batch axis free before layer \"\(reshape.name)\" (\(reshape.className) works per sample), got \(Self.format(current))"
                    )
                }
                let sample = current.dropFirst().map { $0! }
                guard let elements = sample.checkedProduct(), let resolved = reshape.resolve(elements: elements) else {
                    throw .shapeMismatch(
                        "layer \"\(reshape.name)\" cannot reshape a sample of shape \(Self.format(sample.map { $0 })) to \(Self.format(reshape.targetShape.map { $0 == -1 ? nil : $0 }))"
                    )
                }
                description.outputShape = [nil] + resolved.map { Optional($0) }
                width = resolved.last!
            }
            let params = layerTrainable + layerFixed  // each ≤ Int.max / 4 (checked by the counts)
            description.params = params
            description.nonTrainableParams = layerFixed
            layers.append(description)
            // A shape-only request describes models that are never built, so the sums must not
            // trap: an input dimension of 2·10^17 made `params · 4` overflow and crash the server.
            let (bytes, bytesOverflow) = params.multipliedReportingOverflow(by: config.weightByteSize)
            let (newTotal, totalOverflow) = total.addingReportingOverflow(params)
            let (newTotalBytes, totalBytesOverflow) = totalBytes.addingReportingOverflow(bytes)
            guard !bytesOverflow, !totalOverflow, !totalBytesOverflow else {
                throw .limitExceeded(what: "parameter bytes of the model", value: Int.max, limit: Int.max)
            }
            total = newTotal
            totalBytes = newTotalBytes
            trainable += layerTrainable  // ≤ total
            trainableBytes += layerTrainable * config.weightByteSize  // ≤ totalBytes
            current = description.outputShape
        }
        self.outputShape = current
        self.layers = layers
        self.totalParams = total
        self.trainableParams = trainable
        self.nonTrainableParams = total - trainable
        self.totalBytes = totalBytes
        self.trainableBytes = trainableBytes
    }

    /// Keras's shape text: `(None, 20, 10)`.
    public static func format(_ shape: [Int?]) -> String {
        "(" + shape.map { $0.map(String.init) ?? "None" }.joined(separator: ", ") + ")"
    }
}
