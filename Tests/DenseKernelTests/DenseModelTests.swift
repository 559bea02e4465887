import TestSupport
import Testing

@testable import DenseKernel

private func ramp(_ count: Int, scale: Double = 0.01) -> [Float] {
    (0..<count).map { Float((Double($0 % 17) - 8) * scale) }
}

private func layer(
    _ inputDim: Int, _ units: Int, _ activation: Activation = .linear, useBias: Bool = true, dtype: DType = .float32, name: String = "dense"
) throws -> DenseLayer {
    let config = LayerConfig(name: name, units: units, activation: activation, useBias: useBias, dtype: dtype)
    let kernel = TensorStorage.float32(ramp(inputDim * units)).converted(to: dtype)
    let bias = useBias ? TensorStorage.float32(ramp(units, scale: 0.1)).converted(to: dtype) : nil
    return try DenseLayer(config: config, inputDim: inputDim, kernel: kernel, bias: bias)
}

@Test func seedExampleShapesAndParams() throws {
    let model = try DenseModel(layers: [layer(5, 10)])
    let description = try model.describe(inputShape: [nil, 20, 5])
    #expect(description.outputShape == [nil, 20, 10])
    #expect(description.totalParams == 60)
    #expect(description.layers[0].kernelShape == [5, 10])
    #expect(description.layers[0].biasShape == [10])
    let noBias = try DenseModel(layers: [layer(5, 10, useBias: false)])
    #expect(try noBias.describe(inputShape: [nil, 20, 5]).totalParams == 50)
}

@Test func summaryMatchesKerasText() throws {
    let model = try DenseModel(layers: [layer(5, 10)])
    let expected = """
        Model: "sequential"
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
        ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
        ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
        │ dense (Dense)                   │ (None, 20, 10)         │            60 │
        └─────────────────────────────────┴────────────────────────┴───────────────┘
         Total params: 60 (240.00 B)
         Trainable params: 60 (240.00 B)
         Non-trainable params: 0 (0.00 B)
        """
    #expect(try model.describe(inputShape: [nil, 20, 5]).summary == expected)
}

@Test func summaryOfThreeLayerStackMatchesKeras() throws {
    let model = try DenseModel(layers: [
        layer(3, 4, .relu, name: "dense_1"), layer(4, 8, name: "dense_2"), layer(8, 1, .sigmoid, name: "dense_3"),
    ])
    let summary = try model.describe(inputShape: [nil, 2, 3]).summary
    let expectedRows = """
        │ dense_1 (Dense)                 │ (None, 2, 4)           │            16 │
        ├─────────────────────────────────┼────────────────────────┼───────────────┤
        │ dense_2 (Dense)                 │ (None, 2, 8)           │            40 │
        ├─────────────────────────────────┼────────────────────────┼───────────────┤
        │ dense_3 (Dense)                 │ (None, 2, 1)           │             9 │
        └─────────────────────────────────┴────────────────────────┴───────────────┘
         Total params: 65 (260.00 B)
        """
    #expect(summary.contains(expectedRows))
}

@Test func readableSizesAndGrouping() {
    #expect(ModelDescription.readableSize(240) == "240.00 B")
    #expect(ModelDescription.readableSize(4 * 1_049_600) == "4.00 MB")
    #expect(ModelDescription.readableSize(2048) == "2.00 KB")
    #expect(ModelDescription.grouped(1_234_567) == "1,234,567")
    #expect(ModelDescription.grouped(999) == "999")
}

@Test(arguments: 1...6)
func anyRankMapsTheLastAxis(rank: Int) throws {
    let model = try DenseModel(layers: [layer(3, 2, .tanh)])
    let shape = Array([2, 3, 1, 2, 2].prefix(rank - 1)) + [3]
    let count = shape.reduce(1, *)
    let input = Tensor(shape: shape, storage: .float32(ramp(count, scale: 0.3)))
    try model.validate(inputShape: shape, limits: .default)
    let output = model.forward(input)
    #expect(output.shape == Array(shape.dropLast()) + [2])
    // Every row must equal the same layer applied to that row alone: the kernel is shared.
    let rows = count / 3
    for row in 0..<rows {
        let single = Tensor(shape: [3], storage: input.storage.slice((row * 3)..<(row * 3 + 3)))
        let expected = model.forward(single, reference: true)
        for j in 0..<2 { #expect(abs(output.storage[row * 2 + j] - expected.storage[j]) < 1e-6) }
    }
    let symbolic = try model.describe(inputShape: DenseModel.symbolicShape(of: shape)).outputShape
    #expect(symbolic == (rank == 1 ? [2] : [nil] + shape.dropFirst().dropLast().map { Optional($0) } + [2]))
}

@Test(arguments: [(1, 512, 64), (33, 70, 19), (64, 128, 96)])
func blasMatchesTheReferenceKernel(rows: Int, inputDim: Int, units: Int) throws {
    for activation in [Activation.linear, .gelu, .softmax, .sparsemax] {
        for dtype in [DType.float32, .float64] {
            let model = try DenseModel(layers: [layer(inputDim, units, activation, dtype: dtype)])
            let input = Tensor(shape: [rows, inputDim], storage: .float32(ramp(rows * inputDim, scale: 0.05)))
            let fast = model.forward(input)
            let oracle = model.forward(input, reference: true)
            let tolerance = dtype == .float32 ? 1e-4 : 1e-10
            for index in 0..<fast.count {
                #expect(isClose(fast.storage[index], oracle.storage[index], rtol: tolerance, atol: tolerance))
            }
        }
    }
}

@Test func rowSplitsGiveTheSameResult() throws {
    let model = try DenseModel(layers: [layer(16, 8, .relu), layer(8, 4, .softmax, name: "dense_1")])
    let rows = 10
    let input = TensorStorage.float32(ramp(rows * 16, scale: 0.07))
    let whole = model.forward(rows: rows, input: input)
    let first = model.forward(rows: 3, input: input.slice(0..<48))
    let second = model.forward(rows: 7, input: input.slice(48..<160))
    let joined = TensorStorage.concatenate([first, second], dtype: .float32)
    for index in 0..<whole.count { #expect(abs(whole[index] - joined[index]) < 1e-6) }
}

@Test func validationErrorsNameTheField() throws {
    let model = try DenseModel(layers: [layer(5, 10)])
    do {
        try model.validate(inputShape: [3, 6], limits: .default)
        Issue.record("expected shape mismatch")
    } catch {
        #expect(error.code == "shape_mismatch")
        #expect(error.description == "input last dimension is 6 but layer \"dense\" expects 5")
    }
    #expect(throws: DenseError.emptyDimension(field: "input", shape: [0, 5])) {
        try model.validate(inputShape: [0, 5], limits: .default)
    }
    #expect(throws: DenseError.self) { try model.validate(inputShape: [], limits: .default) }
    let limits = DenseLimits(maxRank: 3, maxElements: 100, maxFLOPs: 1000)
    for shape in [[1, 1, 1, 5], [30, 5], [Int.max / 2, 4, 5]] {
        do {
            try model.validate(inputShape: shape, limits: limits)
            Issue.record("expected limit error for \(shape)")
        } catch {
            #expect(error.code == "limit_exceeded")
        }
    }
}

@Test func layerWeightErrors() {
    let config = LayerConfig(name: "dense", units: 3)
    #expect(throws: DenseError.self) {
        try DenseLayer(config: config, inputDim: 2, kernel: .float32([1, 2, 3, 4, 5]), bias: .float32([0, 0, 0]))
    }
    #expect(throws: DenseError.self) {
        try DenseLayer(config: config, inputDim: 2, kernel: .float32([1, 2, 3, 4, 5, 6]), bias: .float32([0, 0]))
    }
    #expect(throws: DenseError.self) {
        try DenseLayer(config: LayerConfig(name: "d", units: 0), inputDim: 2, kernel: .float32([]), bias: nil)
    }
    #expect(throws: DenseError.self) {
        try DenseLayer(
            config: LayerConfig(name: "d", units: 3, activation: .glu), inputDim: 1, kernel: .float32([1, 2, 3]), bias: .float32([0, 0, 0]))
    }
    #expect(throws: DenseError.self) {
        try DenseLayer(config: LayerConfig(name: "d", units: 1 << 31), inputDim: 1, kernel: .float32([]), bias: nil)
    }
}

@Test func stackChainMismatchIsReported() throws {
    do {
        _ = try DenseModel(layers: [layer(5, 4), layer(3, 2, name: "dense_1")])
        Issue.record("expected error")
    } catch {
        #expect((error as? DenseError)?.code == "shape_mismatch")
    }
}

@Test func initializersAreDeterministicAndScaled() throws {
    let a = Initializer.glorotUniform.values(shape: [100, 50], seed: 7)
    let b = Initializer.glorotUniform.values(shape: [100, 50], seed: 7)
    let c = Initializer.glorotUniform.values(shape: [100, 50], seed: 8)
    #expect(a == b)
    #expect(a != c)
    let limit = (6.0 / 150).squareRoot()
    #expect(a.allSatisfy { abs($0) <= limit })
    let normal = Initializer.heNormal.values(shape: [400, 100], seed: 1)
    let std = (normal.map { $0 * $0 }.reduce(0, +) / Double(normal.count)).squareRoot()
    #expect(abs(std - (2.0 / 400).squareRoot()) < 0.01)
    #expect(Initializer.zeros.values(shape: [3], seed: 0) == [0, 0, 0])
    for name in Initializer.kerasNames { _ = try Initializer(kerasName: name, field: "k") }
    _ = try Initializer(kerasName: "GlorotUniform", field: "k")
    #expect(throws: DenseError.self) { try Initializer(kerasName: "orthogonalish", field: "k") }
}

/// Regression (found by the `model` fuzz target): describing Dense(11) on an input dimension of
/// 2.1·10^17 overflowed `params · 4` bytes and trapped, crashing the server on a 63-byte
/// shape-only request. It is a limit error now, as is a sum of layers past `Int.max`.
@Test func describingAHugeModelThrowsInsteadOfTrapping() {
    let dense = LayerConfig(name: "dense", units: 11)
    #expect(throws: DenseError.self) {
        try ModelDescription(name: "m", configs: [dense], inputDims: [nil], inputShape: [2, 211_111_111_111_111_111])
    }
    let wide = LayerConfig(name: "a", units: 1 << 31)
    let back = LayerConfig(name: "b", units: 1 << 31)
    #expect(throws: DenseError.self) {
        try ModelDescription(name: "m", configs: [wide, back], inputDims: [nil, nil], inputShape: [nil, 1 << 31])
    }
    let fine = try? ModelDescription(name: "m", configs: [dense], inputDims: [nil], inputShape: [nil, 5])
    #expect(fine?.totalParams == 66)
}
