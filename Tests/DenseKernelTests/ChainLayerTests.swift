import Testing

@testable import DenseKernel

private func dense(_ inputDim: Int, _ units: Int, _ activation: Activation = .linear, name: String = "dense") throws -> ChainLayer {
    let kernel = (0..<(inputDim * units)).map { Float((Double($0 % 7) - 3) * 0.125) }
    let bias = (0..<units).map { Float(Double($0) * 0.25) }
    return .dense(
        try DenseLayer(
            config: LayerConfig(name: name, units: units, activation: activation), inputDim: inputDim, kernel: .float32(kernel),
            bias: .float32(bias)))
}

private func elementwise(_ function: ElementwiseFunction, _ className: String, name: String) -> ChainLayer {
    .elementwise(ElementwiseLayer(name: name, className: className, function: function))
}

private func floats(_ storage: TensorStorage) -> [Float] {
    if case .float32(let values) = storage { return values }
    return []
}

@Test func batchNormalizationUsesTheMovingStatistics() throws {
    let config = NormalizationConfig(name: "batch_normalization", kind: .batch, epsilon: 0)
    let layer = try NormalizationLayer(
        config: config, channels: 2, weights: [.float32([2, 1]), .float32([0.5, 0]), .float32([1, -1]), .float32([4, 0.25])])
    // (3 − 1)/√4·2 + 0.5 = 2.5 and (0 + 1)/√0.25·1 + 0 = 2, exact in float32.
    #expect(floats(layer.apply(vectors: 1, input: .float32([3, 0]))) == [2.5, 2])
    #expect(layer.parameterCounts == (trainable: 4, nonTrainable: 4))
}

@Test func normalizationWeightsMustMatchTheConfig() {
    let config = NormalizationConfig(name: "bn", kind: .batch, epsilon: 1e-3, center: false)
    // center false: gamma, moving_mean, moving_variance.
    #expect(throws: DenseError.self) {
        try NormalizationLayer(config: config, channels: 2, weights: [.float32([1, 1]), .float32([0, 0])])
    }
    #expect(throws: DenseError.self) {
        try NormalizationLayer(config: config, channels: 2, weights: [.float32([1, 1]), .float32([0, 0]), .float32([1])])
    }
    #expect(config.weightNames == ["gamma", "moving_mean", "moving_variance"])
}

@Test func layerNormalizationNormalizesEachVector() throws {
    let config = NormalizationConfig(name: "layer_normalization", kind: .layer, epsilon: 0)
    let layer = try NormalizationLayer(config: config, channels: 3, weights: [.float32([1, 1, 1]), .float32([0, 0, 0])])
    let output = floats(layer.apply(vectors: 2, input: .float32([1, 2, 3, 10, 10, 13])))
    let a: Double = 1 / (2.0 / 3).squareRoot()
    let b: Double = 1 / 2.0.squareRoot()
    let expected: [Double] = [-a, 0, a, -b, -b, 2 * b]
    for (got, want) in zip(output, expected) {
        #expect(abs(Double(got) - want) <= 5e-7, "\(got) vs \(want)")
    }
    #expect(layer.parameterCounts == (trainable: 6, nonTrainable: 0))
}

@Test func parametricReLUFollowsKerasFormula() {
    // max_value 6, threshold 1, negative_slope 0.1:
    // x·[x > 1] clipped to [0, 6], minus 0.1·max(1 − x, 0).
    let relu = ElementwiseFunction.relu(maxValue: 6, negativeSlope: 0.1, threshold: 1)
    let output = relu.apply([-2, 0.5, 3, 10] as [Double], vectors: 1, width: 4)
    #expect(output == [-0.30000000000000004, -0.05, 3, 6])
    #expect(ElementwiseFunction.leakyReLU(negativeSlope: 0.3).apply([-1, 2] as [Float], vectors: 1, width: 2) == [-0.3, 2])
    let elu = ElementwiseFunction.elu(alpha: 2).apply([-1, 0, 1] as [Double], vectors: 1, width: 3)
    #expect(elu == [2 * (-1.0).expm1Value, 0, 1])
}

extension Double {
    fileprivate var expm1Value: Double { Double.expMinusOne(self) }
}

@Test func flattenGivesASampleRowAndKerasShapes() throws {
    let model = try DenseModel(
        layers: [.reshape(ReshapeLayer(name: "flatten", className: "Flatten", targetShape: [-1])), dense(6, 4)],
        declaredInputShape: [nil, 2, 3])
    #expect(model.rowWidth == 6)
    #expect(model.outputRowWidth == 4)
    #expect(model.outputShape(inputShape: [5, 2, 3]) == [5, 4])
    let description = try model.describe(inputShape: [nil, 2, 3])
    #expect(description.layers.map(\.outputShape) == [[nil, 6], [nil, 4]])
    #expect(description.summary.contains("flatten (Flatten)"))
    // The same numbers as the Dense layer alone on the flattened rows.
    let input = Tensor(shape: [2, 2, 3], storage: .float32((0..<12).map { Float($0) * 0.5 }))
    let flat = try DenseModel(layers: [dense(6, 4)])
    #expect(model.forward(input).storage == flat.forward(Tensor(shape: [2, 6], storage: input.storage)).storage)
    // A reshape needs the sample shape, and the rank is then fixed.
    #expect(throws: DenseError.self) {
        try DenseModel(layers: [.reshape(ReshapeLayer(name: "flatten", className: "Flatten", targetShape: [-1])), dense(6, 4)])
    }
    #expect(throws: DenseError.self) { try model.validate(inputShape: [6], limits: .default) }
    #expect(throws: DenseError.self) { try model.validate(inputShape: [2, 3, 2], limits: .default) }
}

@Test func reshapeResolvesOneUnknownDimension() throws {
    let reshape = ReshapeLayer(name: "reshape", className: "Reshape", targetShape: [-1, 2])
    #expect(reshape.resolve(elements: 6) == [3, 2])
    #expect(reshape.resolve(elements: 5) == nil)
    #expect(ReshapeLayer(name: "r", className: "Reshape", targetShape: [4, 2]).resolve(elements: 6) == nil)
    let model = try DenseModel(layers: [.reshape(reshape), dense(2, 3)], declaredInputShape: [nil, 6])
    #expect(model.outputShape(inputShape: [4, 6]) == [4, 3, 3])
    #expect(try model.describe(inputShape: [nil, 6]).outputShape == [nil, 3, 3])
    #expect(throws: DenseError.self) {
        try DenseModel(
            layers: [.reshape(ReshapeLayer(name: "r", className: "Reshape", targetShape: [4, -1])), dense(2, 3)],
            declaredInputShape: [nil, 6])
    }
}

@Test func summaryCountsNonTrainableStatistics() throws {
    let batchNorm = try NormalizationLayer(
        config: NormalizationConfig(name: "batch_normalization", kind: .batch, epsilon: 1e-3), channels: 3,
        weights: Array(repeating: .float32([1, 1, 1]), count: 4))
    let model = try DenseModel(layers: [
        dense(4, 3), .normalization(batchNorm), elementwise(.identity, "Dropout", name: "dropout"),
        elementwise(.activation(.softmax), "Softmax", name: "softmax"),
    ])
    let description = try model.describe(inputShape: [nil, 4])
    #expect(description.totalParams == 15 + 12)
    #expect(description.nonTrainableParams == 6)
    #expect(description.layers.map(\.className) == ["Dense", "BatchNormalization", "Dropout", "Softmax"])
    let summary = description.summary
    // Keras (rich) wraps a long first cell at the space, onto a second line.
    #expect(
        summary.contains(
            """
            │ batch_normalization             │ (None, 3)              │            12 │
            │ (BatchNormalization)            │                        │               │
            """))
    #expect(summary.contains("│ dropout (Dropout)               │ (None, 3)              │             0 │"))
    #expect(summary.contains(" Non-trainable params: 6 (24.00 B)"))
}

@Test func chainRowsAreBatchInvariant() throws {
    let layerNorm = try NormalizationLayer(
        config: NormalizationConfig(name: "ln", kind: .layer, epsilon: 1e-3), channels: 5,
        weights: [.float32([1, 2, 3, 4, 5]), .float32([0, 0.5, 0, -0.5, 0])])
    let model = try DenseModel(layers: [
        dense(3, 5, .relu), .normalization(layerNorm), elementwise(.leakyReLU(negativeSlope: 0.3), "LeakyReLU", name: "leaky_re_lu"),
        dense(5, 4, .softmax, name: "dense_1"),
    ])
    let rows = 37
    let input = (0..<(rows * 3)).map { Float((Double($0 * 37 % 23) - 11) * 0.17) }
    let whole = floats(model.forward(rows: rows, input: .float32(input)))
    for row in 0..<rows {
        let one = floats(model.forward(rows: 1, input: .float32(Array(input[(row * 3)..<(row * 3 + 3)]))))
        #expect(one.map(\.bitPattern) == whole[(row * 4)..<(row * 4 + 4)].map(\.bitPattern))
    }
}

@Test func widthsMustChain() throws {
    let layerNorm = try NormalizationLayer(
        config: NormalizationConfig(name: "ln", kind: .layer, epsilon: 1e-3), channels: 4,
        weights: [.float32([1, 1, 1, 1]), .float32([0, 0, 0, 0])])
    #expect(throws: DenseError.self) { try DenseModel(layers: [dense(3, 5), .normalization(layerNorm)]) }
    #expect(throws: DenseError.self) {
        try DenseModel(layers: [dense(3, 5), elementwise(.activation(.glu), "Activation", name: "activation")])
    }
}

/// `mixed_float16`: input, kernel, bias and output rounded to float16 at the layer's
/// boundaries (0.1 is 0.0999755859375 in float16).
@Test func mixedFloat16RoundsAtTheLayerBoundaries() throws {
    var config = LayerConfig(name: "dense", units: 1)
    config.mixedFloat16 = true
    let layer = try DenseLayer(config: config, inputDim: 1, kernel: .float32([0.1]), bias: .float32([0.3]))
    let model = try DenseModel(layers: [.dense(layer)])
    let half = { (x: Float) in Float(Float16(x)) }
    let expected = half(half(0.1) * half(3.3) + half(0.3))
    #expect(model.forward(rows: 1, input: .float32([3.3])) == .float32([expected]))
    #expect(layer.kernel == .float32([half(0.1)]))
    #expect(try model.describe(inputShape: [nil, 1]).layers[0].mixedFloat16)
}
