/// A Keras model that is one straight chain of layers: `Dense` layers and the weight-light
/// layers MLPs are saved with (``ChainLayer``), applied in order.
///
/// Without a reshape, every layer acts on the last axis: input `(d1, …, dk, in)` gives
/// `(d1, …, dk, out)`, the leading axes are flattened into rows for one GEMM per Dense layer
/// and restored after, and the kernel is shared across them. A rank-1 input is one vector
/// (Keras itself wants rank ≥ 2; we accept both).
///
/// A `Flatten` or `Reshape` works per sample, so a model with one needs the declared input
/// shape: its rank is then fixed, only the batch axis is free, and a "row" of the model is a
/// whole sample (rows are what dynamic batching concatenates, along axis 0).
public struct DenseModel: Sendable, Equatable {
    /// Model name for the summary (`sequential` unless given).
    public var name: String
    public let layers: [ChainLayer]
    /// Keras `InputLayer.batch_shape`, when the model declared one (`nil` = batch axis).
    public let declaredInputShape: [Int?]?
    /// A Functional model's InputLayer name: its summary lists it first, as Keras's does.
    public var inputLayerName: String?
    /// The last-axis width each layer reads (`layers.count + 1` entries: the last is the output's).
    let widths: [Int]
    /// How many last-axis vectors one model row holds before each layer (1 without a reshape).
    let vectorsPerRow: [Int]
    /// The sample shape after each reshape-aware step; nil without a reshape.
    let sampleShapes: [[Int]]?

    /// Creates a model, checking that each layer's input width is what the one before gives,
    /// and, with a reshape, that every sample shape resolves.
    public init(name: String = "sequential", layers: [ChainLayer], declaredInputShape: [Int?]? = nil) throws(DenseError) {
        guard layers.contains(where: { if case .dense = $0 { true } else { false } }) else {
            throw .invalidField(field: "layers", expected: "at least one Dense layer")
        }
        let hasReshape = layers.contains { if case .reshape = $0 { true } else { false } }
        var sample: [Int]? = nil
        var width: Int
        if hasReshape {
            guard let declared = declaredInputShape, declared.count >= 2, declared[0] == nil,
                declared.dropFirst().allSatisfy({ $0 != nil })
            else {
                throw .invalidField(
                    field: "input_shape",
                    expected:
                        "a declared input shape with only the batch axis free, such as [null, 20, 5], because a Flatten or Reshape layer works per sample"
                )
            }
            sample = declared.dropFirst().map { $0! }
            width = sample!.last!
        } else if let first = layers.lazy.compactMap(\.requiredInputWidth).first {
            width = declaredInputShape?.last.flatMap { $0 } ?? first
        } else {
            throw .invalidField(field: "layers", expected: "at least one Dense layer")
        }
        var widths = [width]
        var vectors = [sample.map { $0.dropLast().reduce(1, *) } ?? 1]
        var shapes: [[Int]] = sample.map { [$0] } ?? []
        for (index, layer) in layers.enumerated() {
            if let required = layer.requiredInputWidth, required != width {
                throw .shapeMismatch(
                    index == 0
                        ? "layer \"\(layer.name)\" expects input dimension \(required) but the model's input has \(width)"
                        : "layer \"\(layer.name)\" expects input dimension \(required) but layer \"\(layers[index - 1].name)\" outputs \(width)"
                )
            }
            if case .elementwise(let element) = layer, case .activation(.glu) = element.function, width % 2 != 0 {
                throw .invalidValue(
                    field: "layers[\(index)]",
                    detail: "activation \"glu\" splits the last axis in halves and needs an even width, got \(width)")
            }
            if case .reshape(let reshape) = layer, let current = sample {
                guard let elements = current.checkedProduct(), let resolved = reshape.resolve(elements: elements) else {
                    throw .shapeMismatch(
                        "layer \"\(reshape.name)\" cannot reshape a sample of shape \(ModelDescription.format(current.map { $0 })) to \(ModelDescription.format(reshape.targetShape.map { $0 == -1 ? nil : $0 }))"
                    )
                }
                sample = resolved
                width = resolved.last!
            } else {
                width = layer.outputWidth(inputWidth: width)
                if let current = sample { sample = Array(current.dropLast()) + [width] }
            }
            widths.append(width)
            if let sample {
                // Reshapes between Dense layers can grow a sample by a factor of `units` each
                // time, every layer within the parameter limit: its size is checked, not trusted.
                guard let elements = sample.checkedProduct() else {
                    throw .limitExceeded(what: "element count of one sample after layer \"\(layer.name)\"", value: Int.max, limit: Int.max)
                }
                shapes.append(sample)
                vectors.append(elements / width)
            } else {
                vectors.append(1)
            }
        }
        if let declared = declaredInputShape, let last = declared.last, let dimension = last, dimension != widths[0] {
            throw .shapeMismatch(
                "the declared input shape's last dimension is \(dimension) but layer \"\(layers[0].name)\" expects \(widths[0])")
        }
        self.name = name
        self.layers = layers
        self.declaredInputShape = declaredInputShape
        self.widths = widths
        self.vectorsPerRow = vectors
        self.sampleShapes = sample == nil ? nil : shapes
    }

    /// A chain of Dense layers only.
    public init(name: String = "sequential", layers: [DenseLayer], declaredInputShape: [Int?]? = nil) throws(DenseError) {
        try self.init(name: name, layers: layers.map(ChainLayer.dense), declaredInputShape: declaredInputShape)
    }

    public static func == (lhs: DenseModel, rhs: DenseModel) -> Bool {
        lhs.name == rhs.name && lhs.layers == rhs.layers && lhs.declaredInputShape == rhs.declaredInputShape
            && lhs.inputLayerName == rhs.inputLayerName
    }

    /// Width of the input's last axis.
    public var inputDim: Int { widths[0] }
    /// Width of the output's last axis.
    public var outputWidth: Int { widths[widths.count - 1] }
    /// Whether a Flatten or Reshape fixes the input's rank (a row is then a whole sample).
    public var reshapesSamples: Bool { sampleShapes != nil }
    /// Input values per independent row: the last axis, or a whole sample with a reshape.
    public var rowWidth: Int { inputDim * vectorsPerRow[0] }
    /// Output values per row.
    public var outputRowWidth: Int { outputWidth * vectorsPerRow[vectorsPerRow.count - 1] }
    /// The Dense layers, in order.
    public var denseLayers: [DenseLayer] { layers.compactMap { if case .dense(let layer) = $0 { layer } else { nil } } }
    /// The dtype of the last layer that computes.
    public var outputDType: DType { layers.reversed().lazy.compactMap(\.dtype).first! }
    /// The first computing layer's dtype: the one the input is rounded to.
    public var inputDType: DType { layers.lazy.compactMap(\.dtype).first! }

    /// Multiply-adds ×2 of one row through every Dense layer (saturating).
    public var flopsPerRow: Int { flops(rows: 1) }

    /// FLOPs of one forward pass over `rows` rows (2·vectors·in·units per Dense layer), saturating.
    public func flops(rows: Int) -> Int {
        var total = 0
        for (index, layer) in layers.enumerated() {
            guard case .dense(let dense) = layer else { continue }
            let (vectors, o1) = rows.multipliedReportingOverflow(by: vectorsPerRow[index])
            let (work, o2) = vectors.multipliedReportingOverflow(by: 2 * dense.inputDim)
            let (work2, o3) = work.multipliedReportingOverflow(by: dense.units)
            let (sum, o4) = total.addingReportingOverflow(work2)
            if o1 || o2 || o3 || o4 { return Int.max }
            total = sum
        }
        return total
    }

    /// Describes shapes and parameters for a symbolic input shape (`nil` = batch axis).
    public func describe(inputShape: [Int?]) throws(DenseError) -> ModelDescription {
        try ModelDescription(
            name: name, configs: layers.map(\.config), inputDims: layers.map(\.requiredInputWidth), inputShape: inputShape,
            inputLayerName: inputLayerName)
    }

    /// The symbolic shape Keras would report for a concrete input: the first axis becomes
    /// the batch axis (`nil`) when rank ≥ 2; a rank-1 input has no batch axis.
    public static func symbolicShape(of shape: [Int]) -> [Int?] {
        shape.count >= 2 ? [nil] + shape.dropFirst().map { Optional($0) } : shape.map { Optional($0) }
    }

    /// Rows of a checked input shape (the leading axes, or the batch axis with a reshape).
    public func rows(inputShape: [Int]) -> Int {
        reshapesSamples ? inputShape[0] : inputShape.dropLast().reduce(1, *)
    }

    /// The output shape for a checked input shape.
    public func outputShape(inputShape: [Int]) -> [Int] {
        if let sampleShapes { return [inputShape[0]] + sampleShapes[sampleShapes.count - 1] }
        return Array(inputShape.dropLast()) + [outputWidth]
    }

    /// Checks a concrete input shape against the model and the limits (rank, elements, FLOPs).
    public func validate(inputShape: [Int], limits: DenseLimits, field: String = "input") throws(DenseError) {
        try Tensor.validateShape(inputShape, limits: limits, field: field)
        guard inputShape.last == inputDim else {
            throw .shapeMismatch(
                "\(field) last dimension is \(inputShape.last!) but layer \"\(layers[0].name)\" expects \(inputDim)")
        }
        if var declared = declaredInputShape {
            // A rank-1 input is one vector: it matches a declared shape without its batch axis
            // (not when a reshape fixes the rank).
            if !reshapesSamples && inputShape.count == 1 && declared.count == 2 && declared[0] == nil { declared.removeFirst() }
            guard declared.count == inputShape.count else {
                // `input_shape: [20, 5]` is Keras's habit of leaving the batch axis out.
                let lacksBatchAxis =
                    inputShape.count == declared.count + 1 && !declared.contains(nil)
                    && zip(declared, inputShape.dropFirst()).allSatisfy { $0 == $1 }
                let hint =
                    lacksBatchAxis
                    ? "; the declared shape has no batch axis (Keras's input_shape leaves it out): declare \(ModelDescription.format([nil] + declared)) to send batches"
                    : ""
                throw .shapeMismatch(
                    "\(field) has rank \(inputShape.count) but the model's declared input shape \(ModelDescription.format(declared)) has rank \(declared.count)\(hint)"
                )
            }
            for (axis, (want, got)) in zip(declared, inputShape).enumerated() {
                if let want, want != got {
                    throw .shapeMismatch(
                        "\(field) dimension \(axis) is \(got) but the model's declared input shape \(ModelDescription.format(declaredInputShape!)) needs \(want)"
                    )
                }
            }
        }
        try checkPassLimits(rows: self.rows(inputShape: inputShape), limits: limits)
    }

    /// Checks that a pass over `rows` rows keeps every layer's output within the element limit
    /// and the whole pass within the FLOP limit (a request's rows, or a dynamic batch's).
    public func checkPassLimits(rows: Int, limits: DenseLimits) throws(DenseError) {
        var flops = 0
        for (index, layer) in layers.enumerated() {
            let (vectors, overflow0) = rows.multipliedReportingOverflow(by: vectorsPerRow[index + 1])
            let (outElements, overflow1) = vectors.multipliedReportingOverflow(by: widths[index + 1])
            guard !overflow0, !overflow1, outElements <= limits.maxElements else {
                throw .limitExceeded(
                    what: "output element count of layer \"\(layer.name)\"", value: overflow0 || overflow1 ? Int.max : outElements,
                    limit: limits.maxElements)
            }
            guard case .dense(let dense) = layer else { continue }
            let (inVectors, overflow2) = rows.multipliedReportingOverflow(by: vectorsPerRow[index])
            let (work, overflow3) = inVectors.multipliedReportingOverflow(by: 2 * dense.inputDim)
            let (work2, overflow4) = work.multipliedReportingOverflow(by: dense.units)
            let (sum, overflow5) = flops.addingReportingOverflow(work2)
            guard !overflow2, !overflow3, !overflow4, !overflow5, sum <= limits.maxFLOPs else {
                throw .limitExceeded(
                    what: "FLOPs of the forward pass", value: overflow2 || overflow3 || overflow4 || overflow5 ? Int.max : sum,
                    limit: limits.maxFLOPs)
            }
            flops = sum
        }
    }

    /// Runs the chain on `rows` rows of ``rowWidth`` values. Each layer casts its input to its
    /// own dtype first (float64 → float32 rounds, as Keras does). Rows are independent, so
    /// callers may split a large batch over workers and concatenate the results.
    /// Precondition: the input was checked with ``validate(inputShape:limits:field:)``.
    public func forward(rows: Int, input: TensorStorage, reference: Bool = false) -> TensorStorage {
        precondition(input.count == rows * rowWidth, "input has \(input.count) values, expected \(rows)×\(rowWidth)")
        var current = input
        for (index, layer) in layers.enumerated() {
            current = layer.forward(vectors: rows * vectorsPerRow[index], width: widths[index], input: current, reference: reference)
        }
        return current
    }

    /// Runs the chain on a whole checked tensor.
    public func forward(_ input: Tensor, reference: Bool = false) -> Tensor {
        let output = forward(rows: rows(inputShape: input.shape), input: input.storage, reference: reference)
        return Tensor(shape: outputShape(inputShape: input.shape), storage: output)
    }
}
