/// Shapes and parameter counts of one layer, as Keras reports them.
public struct LayerDescription: Sendable, Equatable {
    public var name: String
    public var units: Int
    public var activation: Activation
    public var useBias: Bool
    public var dtype: DType
    public var trainable: Bool
    public var inputShape: [Int?]
    public var outputShape: [Int?]
    /// `[inputDim, units]`.
    public var kernelShape: [Int]
    /// `[units]`, or nil without bias.
    public var biasShape: [Int]?
    public var params: Int
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

    /// Infers shapes for layer configs given each layer's input dimension, without weights.
    /// - Throws: `shapeMismatch` when the input's last dimension or a layer chain disagrees.
    public init(name: String, configs: [LayerConfig], inputDims: [Int?], inputShape: [Int?]) throws(DenseError) {
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
        var total = 0, trainable = 0, totalBytes = 0, trainableBytes = 0
        for (index, config) in configs.enumerated() {
            if let declared = inputDims[index], declared != width {
                throw .shapeMismatch(
                    index == 0
                        ? "input last dimension is \(width) but layer \"\(config.name)\" expects \(declared)"
                        : "layer \"\(config.name)\" expects input dimension \(declared) but layer \"\(configs[index - 1].name)\" outputs \(width)"
                )
            }
            guard let params = config.parameterCount(inputDim: width) else {
                throw .limitExceeded(what: "parameter count of layer \"\(config.name)\"", value: Int.max, limit: Int.max)
            }
            let output = Array(current.dropLast()) + [config.outputWidth]
            layers.append(
                LayerDescription(
                    name: config.name, units: config.units, activation: config.activation, useBias: config.useBias,
                    dtype: config.dtype, trainable: config.trainable, inputShape: current, outputShape: output,
                    kernelShape: [width, config.units], biasShape: config.useBias ? [config.units] : nil, params: params))
            // A shape-only request describes models that are never built, so the sums must not
            // trap: an input dimension of 2·10^17 made `params · 4` overflow and crash the server.
            let (bytes, bytesOverflow) = params.multipliedReportingOverflow(by: config.dtype.byteSize)
            let (newTotal, totalOverflow) = total.addingReportingOverflow(params)
            let (newTotalBytes, totalBytesOverflow) = totalBytes.addingReportingOverflow(bytes)
            guard !bytesOverflow, !totalOverflow, !totalBytesOverflow else {
                throw .limitExceeded(what: "parameter bytes of the model", value: Int.max, limit: Int.max)
            }
            total = newTotal
            totalBytes = newTotalBytes
            if config.trainable {
                trainable += params  // ≤ total
                trainableBytes += bytes  // ≤ totalBytes
            }
            current = output
            width = config.outputWidth
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
