/// The configuration of a Keras `Dense` layer, without weights.
public struct LayerConfig: Sendable, Equatable {
    /// Layer name as Keras shows it (`dense`, `dense_1`, …).
    public var name: String
    /// Width of the kernel's output (`units` in Keras). Always ≥ 1.
    public var units: Int
    public var activation: Activation
    public var useBias: Bool
    /// Compute dtype (Keras `dtype` policy): the input is cast to it before the matmul.
    public var dtype: DType
    /// Keras's `trainable`; parameters of a non-trainable layer count as non-trainable.
    public var trainable: Bool
    /// Keras's `mixed_float16` policy (``dtype`` is then float32, the variables' dtype): the
    /// layer computes as if in float16, its input, kernel, bias and output rounded to float16
    /// (at the layer's boundaries; inside, the GEMM accumulates in float32).
    public var mixedFloat16 = false

    public init(
        name: String, units: Int, activation: Activation = .linear, useBias: Bool = true,
        dtype: DType = .float32, trainable: Bool = true
    ) {
        self.name = name
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.dtype = dtype
        self.trainable = trainable
    }

    /// Width of the last axis this layer produces (`units`, halved by `glu`).
    public var outputWidth: Int { activation.outputWidth(units: units) }

    /// `inputDim·units (+ units)`, or nil on overflow.
    public func parameterCount(inputDim: Int) -> Int? {
        let (kernel, overflow) = inputDim.multipliedReportingOverflow(by: units)
        if overflow { return nil }
        let (total, overflow2) = kernel.addingReportingOverflow(useBias ? units : 0)
        return overflow2 ? nil : total
    }

    /// Checks what a config alone can get wrong. `field` is the JSON path of the layer.
    public func validate(field: String, limits: DenseLimits) throws(DenseError) {
        guard units >= 1 else { throw .invalidField(field: "\(field).units", expected: "an integer ≥ 1, got \(units)") }
        guard units <= limits.maxElements else {
            throw .limitExceeded(what: "\(field).units", value: units, limit: limits.maxElements)
        }
        if activation == .glu && units % 2 != 0 {
            throw .invalidValue(
                field: "\(field).units",
                detail: "activation \"glu\" splits the last axis in two halves and needs an even number of units, got \(units)")
        }
    }
}

/// A Keras `Dense` layer with its weights: `y = activation(x·kernel + bias)` on the last axis.
///
/// Shapes: `kernel` is `[inputDim, units]` row-major, `bias` is `[units]` (absent when
/// `useBias` is false). Both are stored in the layer's compute dtype; the kernel only as its
/// ``PackedKernel``, packed once when the layer is made.
public struct DenseLayer: Sendable, Equatable {
    public var config: LayerConfig
    public let inputDim: Int
    /// The kernel in the batch-invariant GEMM's layout (the layer's only copy of it).
    public let packedKernel: PackedKernel
    public let bias: TensorStorage?

    /// The kernel `[inputDim, units]` row-major, unpacked (exact) from ``packedKernel``.
    public var kernel: TensorStorage { packedKernel.unpacked() }

    /// Creates a layer, checking the weight shapes against `inputDim` and `units`.
    /// - Throws: `DenseError.shapeMismatch` when the kernel is not `[inputDim, units]` or the
    ///   bias length is not `units`.
    public init(
        config: LayerConfig, inputDim: Int, kernel: TensorStorage, bias: TensorStorage?,
        field: String = "layer", limits: DenseLimits = .default
    ) throws(DenseError) {
        try config.validate(field: field, limits: limits)
        guard inputDim >= 1 else { throw .invalidField(field: "\(field).kernel", expected: "at least one input row") }
        guard let params = config.parameterCount(inputDim: inputDim), inputDim * config.units <= limits.maxElements
        else {
            throw .limitExceeded(
                what: "\(field) kernel element count", value: inputDim.multipliedReportingOverflow(by: config.units).partialValue,
                limit: limits.maxElements)
        }
        guard params <= limits.maxParams else {
            throw .limitExceeded(what: "\(field) parameter count", value: params, limit: limits.maxParams)
        }
        // The packed kernel pads the columns to whole panels (32 floats, 16 doubles): a narrow,
        // tall layer would otherwise take up to 32× the memory its element count says.
        let padded = PackedKernel.packedCount(inputDim: inputDim, units: config.units, dtype: config.dtype)
        guard let padded, padded <= limits.maxElements else {
            throw .limitExceeded(
                what: "\(field) kernel element count padded to whole \(PackedKernel.panelWidth(config.dtype))-column panels",
                value: padded ?? Int.max, limit: limits.maxElements)
        }
        guard kernel.count == inputDim * config.units else {
            throw .shapeMismatch(
                "\(field).kernel has \(kernel.count) elements but shape [\(inputDim), \(config.units)] needs \(inputDim * config.units)")
        }
        if config.useBias {
            guard let bias else {
                throw .invalidField(field: "\(field).bias", expected: "\(config.units) values because use_bias is true")
            }
            guard bias.count == config.units else {
                throw .shapeMismatch("\(field).bias has \(bias.count) values but units is \(config.units)")
            }
        } else if bias != nil {
            throw .invalidField(field: "\(field).bias", expected: "no bias because use_bias is false")
        }
        self.config = config
        self.inputDim = inputDim
        let halve = { (storage: TensorStorage) in config.mixedFloat16 ? storage.roundedToFloat16() : storage }
        self.packedKernel = PackedKernel(kernel: halve(kernel.converted(to: config.dtype)), inputDim: inputDim, units: config.units)
        self.bias = bias.map { halve($0.converted(to: config.dtype)) }
    }

    public static func == (lhs: DenseLayer, rhs: DenseLayer) -> Bool {
        lhs.config == rhs.config && lhs.inputDim == rhs.inputDim && lhs.bias == rhs.bias
            && lhs.packedKernel.hasSameValues(as: rhs.packedKernel)
    }

    public var name: String { config.name }
    public var units: Int { config.units }
    public var outputWidth: Int { config.outputWidth }
    public var params: Int { config.parameterCount(inputDim: inputDim)! }

    /// Runs the layer on `rows` rows of `inputDim` values (already in the layer's dtype).
    /// Returns `rows·outputWidth` values: the batch-invariant GEMM on the packed kernel, then
    /// one fused pass adding the bias and applying the activation. `isa` picks the kernel's
    /// instruction set (every one gives the same bits); `reference: true` uses the naive oracle.
    public func forward(rows: Int, input: TensorStorage, reference: Bool = false, isa: GEMM.ISA = GEMM.isa) -> TensorStorage {
        precondition(input.count == rows * inputDim, "input has \(input.count) values, expected \(rows)×\(inputDim)")
        switch config.dtype {
        case .float32: return .float32(run(rows: rows, input: Float.values(of: input), reference: reference, isa: isa))
        case .float64: return .float64(run(rows: rows, input: Double.values(of: input), reference: reference, isa: isa))
        }
    }

    // Shape: input [rows, inputDim] · kernel [inputDim, units] + bias [units] → [rows, outputWidth]
    private func run<T: DenseScalar>(rows: Int, input: [T], reference: Bool, isa: GEMM.ISA) -> [T] {
        let units = config.units
        var output = [T](unsafeUninitializedCapacity: rows * units) { buffer, initialized in
            input.withUnsafeBufferPointer { a in
                if reference {
                    T.values(of: kernel).withUnsafeBufferPointer { b in
                        GEMM.reference(
                            m: rows, n: units, k: inputDim, a: a.baseAddress!, b: b.baseAddress!,
                            c: buffer.baseAddress!, accumulate: false)
                    }
                } else {
                    packedKernel.multiply(rows: rows, x: a.baseAddress!, y: buffer.baseAddress!, isa: isa)
                }
            }
            initialized = rows * units
            applyEpilogue(buffer, rows: rows)
        }
        if config.activation == .glu { output.removeLast(rows * (units - units / 2)) }
        return output
    }

    /// Adds the bias and applies the activation in place on `rows·units` GEMM outputs.
    private func applyEpilogue<T: DenseScalar>(_ buffer: UnsafeMutableBufferPointer<T>, rows: Int) {
        if let bias {
            T.values(of: bias).withUnsafeBufferPointer { bias in
                config.activation.apply(buffer, rows: rows, width: units, bias: bias.baseAddress!)
            }
        } else {
            config.activation.apply(buffer, rows: rows, width: units, bias: nil)
        }
    }
}
