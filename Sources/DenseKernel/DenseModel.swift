/// A Keras `Sequential` stack of `Dense` layers applied in order to the last axis.
///
/// Input `(d1, …, dk, in)` gives `(d1, …, dk, out)`: leading axes are flattened into rows
/// for one GEMM per layer and restored after; the kernel is shared across them. A rank-1
/// input is one vector (Keras itself wants rank ≥ 2; we accept both).
public struct DenseModel: Sendable, Equatable {
    /// Model name for the summary (`sequential` unless given).
    public var name: String
    public var layers: [DenseLayer]
    /// Keras `InputLayer.batch_shape`, when the model declared one (`nil` = batch axis).
    public var declaredInputShape: [Int?]?

    /// Creates a model, checking that each layer's input dimension is the previous one's output.
    public init(name: String = "sequential", layers: [DenseLayer], declaredInputShape: [Int?]? = nil) throws(DenseError) {
        guard !layers.isEmpty else { throw .invalidField(field: "layers", expected: "at least one Dense layer") }
        for index in layers.indices.dropFirst() where layers[index].inputDim != layers[index - 1].outputWidth {
            throw .shapeMismatch(
                "layer \"\(layers[index].name)\" expects input dimension \(layers[index].inputDim) but layer \"\(layers[index - 1].name)\" outputs \(layers[index - 1].outputWidth)"
            )
        }
        if let declared = declaredInputShape, let last = declared.last, let dimension = last,
            dimension != layers[0].inputDim
        {
            throw .shapeMismatch(
                "InputLayer batch_shape last dimension is \(dimension) but layer \"\(layers[0].name)\" expects \(layers[0].inputDim)")
        }
        self.name = name
        self.layers = layers
        self.declaredInputShape = declaredInputShape
    }

    public var inputDim: Int { layers[0].inputDim }
    public var outputWidth: Int { layers[layers.count - 1].outputWidth }
    public var outputDType: DType { layers[layers.count - 1].config.dtype }
    /// Multiply-adds ×2 of one row through every layer (saturating).
    public var flopsPerRow: Int {
        layers.reduce(0) { total, layer in
            let (work, overflow) = (2 * layer.inputDim).multipliedReportingOverflow(by: layer.units)
            let (sum, overflow2) = total.addingReportingOverflow(work)
            return overflow || overflow2 ? Int.max : sum
        }
    }

    /// The first layer's dtype: the one the input is rounded to.
    public var inputDType: DType { layers[0].config.dtype }

    /// Describes shapes and parameters for a symbolic input shape (`nil` = batch axis).
    public func describe(inputShape: [Int?]) throws(DenseError) -> ModelDescription {
        try ModelDescription(
            name: name, configs: layers.map(\.config), inputDims: layers.map(\.inputDim), inputShape: inputShape)
    }

    /// The symbolic shape Keras would report for a concrete input: the first axis becomes
    /// the batch axis (`nil`) when rank ≥ 2; a rank-1 input has no batch axis.
    public static func symbolicShape(of shape: [Int]) -> [Int?] {
        shape.count >= 2 ? [nil] + shape.dropFirst().map { Optional($0) } : shape.map { Optional($0) }
    }

    /// Checks a concrete input shape against the model and the limits (rank, elements, FLOPs).
    public func validate(inputShape: [Int], limits: DenseLimits, field: String = "input") throws(DenseError) {
        try Tensor.validateShape(inputShape, limits: limits, field: field)
        guard inputShape.last == inputDim else {
            throw .shapeMismatch(
                "\(field) last dimension is \(inputShape.last!) but layer \"\(layers[0].name)\" expects \(inputDim)")
        }
        if var declared = declaredInputShape {
            // A rank-1 input is one vector: it matches a declared shape without its batch axis.
            if inputShape.count == 1 && declared.count == 2 && declared[0] == nil { declared.removeFirst() }
            guard declared.count == inputShape.count else {
                throw .shapeMismatch(
                    "\(field) has rank \(inputShape.count) but the model's InputLayer batch_shape \(ModelDescription.format(declared)) has rank \(declared.count)"
                )
            }
            for (axis, (want, got)) in zip(declared, inputShape).enumerated() {
                if let want, want != got {
                    throw .shapeMismatch(
                        "\(field) dimension \(axis) is \(got) but the model's InputLayer batch_shape \(ModelDescription.format(declaredInputShape!)) needs \(want)"
                    )
                }
            }
        }
        let rows = inputShape.dropLast().reduce(1, *)
        var flops = 0
        for layer in layers {
            let (outElements, overflow1) = rows.multipliedReportingOverflow(by: layer.units)
            guard !overflow1, outElements <= limits.maxElements else {
                throw .limitExceeded(
                    what: "output element count of layer \"\(layer.name)\"", value: overflow1 ? Int.max : outElements,
                    limit: limits.maxElements)
            }
            let (work, overflow2) = outElements.multipliedReportingOverflow(by: 2 * layer.inputDim)
            let (sum, overflow3) = flops.addingReportingOverflow(work)
            guard !overflow2, !overflow3, sum <= limits.maxFLOPs else {
                throw .limitExceeded(
                    what: "FLOPs of the forward pass", value: (overflow2 || overflow3) ? Int.max : sum, limit: limits.maxFLOPs)
            }
            flops = sum
        }
    }

    /// FLOPs of one forward pass over `rows` rows (2·rows·in·units per layer).
    public func flops(rows: Int) -> Int {
        layers.reduce(0) { $0 + 2 * rows * $1.inputDim * $1.units }
    }

    /// Runs the stack on `rows` rows of `inputDim` values. Each layer casts its input to its
    /// own dtype first (float64 → float32 rounds, as Keras does). Rows are independent, so
    /// callers may split a large batch over workers and concatenate the results.
    /// Precondition: the input was checked with ``validate(inputShape:limits:field:)``.
    public func forward(rows: Int, input: TensorStorage, reference: Bool = false) -> TensorStorage {
        var current = input
        for layer in layers {
            current = layer.forward(rows: rows, input: current.converted(to: layer.config.dtype), reference: reference)
        }
        return current
    }

    /// Runs the stack on a whole tensor of shape `(d1, …, dk, inputDim)` → `(d1, …, dk, out)`.
    public func forward(_ input: Tensor, reference: Bool = false) -> Tensor {
        let rows = input.shape.dropLast().reduce(1, *)
        let output = forward(rows: rows, input: input.storage, reference: reference)
        return Tensor(shape: Array(input.shape.dropLast()) + [outputWidth], storage: output)
    }
}
