import RealModule

/// A Keras 3 activation, applied elementwise or along the last axis.
///
/// Formulas are Keras's own (`keras.activations`), computed in the layer's dtype:
/// - `gelu` is the exact erf form `0.5·x·(1 + erf(x/√2))`;
/// - `leaky_relu` has slope 0.2; `elu`, `celu` have alpha 1; `selu` Keras's constants;
/// - `hard_sigmoid` = relu6(x + 3)/6, `hard_silu` = x·hard_sigmoid(x);
/// - `softmax`, `log_softmax` subtract the row maximum first (stable);
/// - `sparsemax` is the Euclidean projection onto the simplex (each slice sums to 1);
///   Keras 3.15.1 computes a wrong threshold when the support has several elements;
/// - `glu` splits the last axis into halves `a | b` and returns `a·sigmoid(b)`, halving it.
/// `swish` and `hard_swish` are aliases of `silu` and `hard_silu`; the alias name is kept
/// for reporting. `threshold` exists in Keras but needs parameters a Dense layer cannot
/// pass, so it is rejected.
public enum Activation: String, Sendable, CaseIterable, Equatable {
    case celu, elu, exponential, gelu, glu
    case hardShrink = "hard_shrink"
    case hardSigmoid = "hard_sigmoid"
    case hardSilu = "hard_silu"
    case hardSwish = "hard_swish"
    case hardTanh = "hard_tanh"
    case leakyRelu = "leaky_relu"
    case linear
    case logSigmoid = "log_sigmoid"
    case logSoftmax = "log_softmax"
    case mish, relu, relu6, selu, sigmoid, silu
    case softShrink = "soft_shrink"
    case softmax, softplus, softsign
    case sparsePlus = "sparse_plus"
    case sparseSigmoid = "sparse_sigmoid"
    case sparsemax, squareplus, swish, tanh
    case tanhShrink = "tanh_shrink"

    /// Every name Keras 3 accepts for an activation, sorted (including the rejected `threshold`).
    public static let kerasNames: [String] = (allCases.map(\.rawValue) + ["threshold"]).sorted()

    /// Parses a Keras activation name. `None`/`null` is handled by the caller (it means linear).
    public init(kerasName: String, field: String = "activation") throws(DenseError) {
        if let activation = Activation(rawValue: kerasName) {
            self = activation
            return
        }
        if kerasName == "threshold" {
            throw .unsupportedActivation(
                name: kerasName, field: field,
                reason: "Keras's threshold needs `threshold` and `default_value` arguments that a Dense layer's `activation` cannot pass")
        }
        throw .unknownActivation(name: kerasName, field: field)
    }

    /// The Keras name.
    public var kerasName: String { rawValue }

    /// Output width of the last axis for `units` inputs (glu halves it).
    public func outputWidth(units: Int) -> Int { self == .glu ? units / 2 : units }
}

/// The float types the kernel computes in: `Float` and `Double`.
public protocol DenseScalar: BinaryFloatingPoint & Real & Sendable where Self.RawSignificand: FixedWidthInteger {
    /// The C kernel behind ``packedGEMM(isa:m:n:k:x:packed:y:panelBegin:panelEnd:)``.
    static var gemmFunctions: GEMMFunctions<Self> { get }
    /// Wraps storage of this type.
    static func storage(_ values: [Self]) -> TensorStorage
    /// The values of storage of this dtype; nil for another dtype.
    static func stored(_ storage: TensorStorage) -> [Self]?
    static var dtype: DType { get }
}

extension Activation {
    /// Adds `bias` (if any) and applies the activation in place, in one pass over
    /// `rows` rows of `width` values (`x·W`). For `glu` the result is written compacted:
    /// row `r` occupies `[r·width/2, (r+1)·width/2)`. Shape: buffer `[rows, width]`, bias `[width]`.
    @inlinable
    public func apply<T: DenseScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, rows: Int, width: Int, bias: UnsafePointer<T>?
    ) {
        if let bias, !isElementwise {  // row-wise ones (and linear) add the bias first
            for row in 0..<rows {
                let base = row * width
                for j in 0..<width { buffer[base + j] += bias[j] }
            }
            if self == .linear { return }
        }
        switch self {
        case .linear:
            return
        case .softmax, .logSoftmax, .sparsemax:
            for row in 0..<rows {
                let slice = UnsafeMutableBufferPointer(rebasing: buffer[(row * width)..<((row + 1) * width)])
                switch self {
                case .softmax: Self.softmax(slice)
                case .logSoftmax: Self.logSoftmax(slice)
                default: Self.sparsemax(slice)
                }
            }
        case .glu:
            let half = width / 2
            for row in 0..<rows {
                let source = row * width
                let target = row * half
                for j in 0..<half {
                    // target + j <= source + j, so reading ahead of writing is safe in place.
                    let a = buffer[source + j]
                    let b = buffer[source + half + j]
                    buffer[target + j] = a * Self.sigmoid(b)
                }
            }
        case .relu:
            // The most common activation, with its formula inline: one call of `elementwise`
            // per element (a switch each time) cost as much as the GEMM of a Dense(256).
            Self.map(buffer, rows: rows, width: width, bias: bias) { x in x > 0 ? x : (x.isNaN ? x : 0) }
        default:
            Self.map(buffer, rows: rows, width: width, bias: bias) { x in elementwise(x) }
        }
    }

    /// `buffer[r, j] = f(buffer[r, j] + bias[j])` (without the add when there is no bias).
    @inlinable @inline(__always)
    static func map<T: DenseScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, rows: Int, width: Int, bias: UnsafePointer<T>?, _ f: (T) -> T
    ) {
        guard let base = buffer.baseAddress else { return }
        if let bias {
            for row in 0..<rows {
                let start = base + row * width
                for j in 0..<width { start[j] = f(start[j] + bias[j]) }
            }
        } else {
            for index in 0..<(rows * width) { base[index] = f(base[index]) }
        }
    }

    /// Whether the activation maps each element on its own (so the bias add can be fused).
    @inlinable
    public var isElementwise: Bool {
        switch self {
        case .linear, .softmax, .logSoftmax, .sparsemax, .glu: false
        default: true
        }
    }

    /// The elementwise activations. Row-wise ones (softmax, log_softmax, sparsemax, glu) are
    /// handled by ``apply(_:rows:width:)``.
    @inlinable
    public func elementwise<T: DenseScalar>(_ x: T) -> T {
        switch self {
        case .linear, .softmax, .logSoftmax, .sparsemax, .glu: return x
        case .relu: return x > 0 ? x : (x.isNaN ? x : 0)
        case .relu6: return x.isNaN ? x : Swift.min(Swift.max(x, 0), 6)
        case .leakyRelu: return x >= 0 ? x : x * T(0.2)
        case .elu: return x > 0 ? x : T.expMinusOne(x)
        case .celu: return Swift.max(x, 0) + T.expMinusOne(Swift.min(x, 0))
        case .selu:
            let alpha = T(1.67326324235437728481704299167171)
            let scale = T(1.05070098735548049341933498529460)
            return scale * (x > 0 ? x : alpha * T.expMinusOne(x))
        case .exponential: return T.exp(x)
        case .gelu: return x * (1 + T.erf(x / T.sqrt(2))) / 2
        case .hardShrink: return Swift.abs(x) > T(0.5) ? x : 0
        case .softShrink: return x > T(0.5) ? x - T(0.5) : (x < T(-0.5) ? x + T(0.5) : 0)
        case .hardSigmoid: return Self.hardSigmoid(x)
        case .hardSilu, .hardSwish: return x * Self.hardSigmoid(x)
        case .hardTanh: return Swift.min(Swift.max(x, -1), 1)
        case .logSigmoid: return -Self.softplus(-x)
        case .mish: return x * T.tanh(Self.softplus(x))
        case .sigmoid: return Self.sigmoid(x)
        case .silu, .swish: return x * Self.sigmoid(x)
        case .softplus: return Self.softplus(x)
        case .softsign: return x / (1 + Swift.abs(x))
        case .sparsePlus:
            if x <= -1 { return 0 }
            if x >= 1 { return x }
            return (x + 1) * (x + 1) / 4
        case .sparseSigmoid:
            if x <= -1 { return 0 }
            if x >= 1 { return 1 }
            return (x + 1) / 2
        case .squareplus: return (x + T.sqrt(x * x + 4)) / 2
        case .tanh: return T.tanh(x)
        case .tanhShrink: return x - T.tanh(x)
        }
    }

    @inlinable
    static func sigmoid<T: DenseScalar>(_ x: T) -> T {
        if x >= 0 { return 1 / (1 + T.exp(-x)) }
        let e = T.exp(x)
        return e / (1 + e)
    }

    /// `log(1 + eˣ)` without overflow: `max(x, 0) + log1p(e^(−|x|))`.
    @inlinable
    static func softplus<T: DenseScalar>(_ x: T) -> T {
        Swift.max(x, 0) + T.log(onePlus: T.exp(-Swift.abs(x)))
    }

    @inlinable
    static func hardSigmoid<T: DenseScalar>(_ x: T) -> T {
        x.isNaN ? x : Swift.min(Swift.max(x + 3, 0), 6) / 6
    }

    @inlinable
    static func softmax<T: DenseScalar>(_ row: UnsafeMutableBufferPointer<T>) {
        let maximum = row.max() ?? 0
        var sum: T = 0
        for i in row.indices {
            let e = T.exp(row[i] - maximum)
            row[i] = e
            sum += e
        }
        for i in row.indices { row[i] /= sum }
    }

    @inlinable
    static func logSoftmax<T: DenseScalar>(_ row: UnsafeMutableBufferPointer<T>) {
        let maximum = row.max() ?? 0
        var sum: T = 0
        for value in row { sum += T.exp(value - maximum) }
        let logSum = T.log(sum)
        for i in row.indices { row[i] = row[i] - maximum - logSum }
    }

    /// Projection onto the probability simplex (Martins & Astudillo 2016):
    /// τ = (Σ of the k largest zᵢ − 1)/k for the largest k with 1 + k·z₍ₖ₎ > Σⱼ≤ₖ z₍ⱼ₎;
    /// output max(z − τ, 0). The row maximum is subtracted first, as Keras does.
    @inlinable
    static func sparsemax<T: DenseScalar>(_ row: UnsafeMutableBufferPointer<T>) {
        guard !row.isEmpty else { return }
        if row.contains(where: { $0.isNaN }) {
            for i in row.indices { row[i] = .nan }
            return
        }
        let maximum = row.max()!
        for i in row.indices { row[i] -= maximum }
        let sorted = row.sorted(by: >)
        var cumulative: T = 0
        var supportSum: T = 0
        var support = 0
        for (index, z) in sorted.enumerated() {
            cumulative += z
            let k = T(index + 1)
            if 1 + k * z > cumulative {
                support = index + 1
                supportSum = cumulative
            }
        }
        let tau = (supportSum - 1) / T(support)
        for i in row.indices { row[i] = Swift.max(row[i] - tau, 0) }
    }
}
