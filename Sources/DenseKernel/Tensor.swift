/// Contiguous row-major element storage in one of the compute dtypes.
public enum TensorStorage: Sendable, Equatable {
    case float32([Float])
    case float64([Double])

    /// Number of elements stored.
    public var count: Int {
        switch self {
        case .float32(let values): values.count
        case .float64(let values): values.count
        }
    }

    /// The dtype of the stored elements.
    public var dtype: DType {
        switch self {
        case .float32: .float32
        case .float64: .float64
        }
    }

    /// The same values in `dtype` (float64 → float32 rounds to nearest, as numpy's `astype`).
    public func converted(to dtype: DType) -> TensorStorage {
        switch (self, dtype) {
        case (.float32, .float32), (.float64, .float64): self
        case (.float32(let values), .float64): .float64(values.map(Double.init))
        case (.float64(let values), .float32): .float32(values.map(Float.init))
        }
    }

    /// The values rounded to the nearest float16 (IEEE binary16, ties to even) and kept in
    /// this storage's dtype: what Keras's `mixed_float16` layers compute on.
    public func roundedToFloat16() -> TensorStorage {
        switch self {
        case .float32(let values): .float32(values.map { Float(Float16($0)) })
        case .float64(let values): .float64(values.map { Double(Float16($0)) })
        }
    }

    /// Element `index` widened to Double (for tests and tolerances).
    public subscript(index: Int) -> Double {
        switch self {
        case .float32(let values): Double(values[index])
        case .float64(let values): values[index]
        }
    }

    /// Elements `range` as a new storage of the same dtype.
    public func slice(_ range: Range<Int>) -> TensorStorage {
        switch self {
        case .float32(let values): .float32(Array(values[range]))
        case .float64(let values): .float64(Array(values[range]))
        }
    }

    /// Concatenates storages of one dtype in order.
    public static func concatenate(_ parts: [TensorStorage], dtype: DType) -> TensorStorage {
        switch dtype {
        case .float32:
            var out = [Float]()
            out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
            for part in parts { if case .float32(let values) = part.converted(to: .float32) { out += values } }
            return .float32(out)
        case .float64:
            var out = [Double]()
            out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
            for part in parts { if case .float64(let values) = part.converted(to: .float64) { out += values } }
            return .float64(out)
        }
    }
}

/// A dense tensor: a shape and contiguous row-major storage.
///
/// Invariant: `shape.checkedProduct() == storage.count` and every dimension ≥ 1, rank ≥ 1.
/// Shapes from untrusted data are checked first with ``Tensor/validateShape(_:limits:field:)``.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var storage: TensorStorage

    /// Creates a tensor whose shape and storage are already known to agree.
    public init(shape: [Int], storage: TensorStorage) {
        precondition(shape.checkedProduct() == storage.count, "shape \(shape) does not match \(storage.count) elements")
        self.shape = shape
        self.storage = storage
    }

    /// Checks rank, dimensions and element count of a concrete shape.
    public static func validateShape(_ shape: [Int], limits: DenseLimits, field: String) throws(DenseError) {
        guard !shape.isEmpty else { throw .invalidField(field: field, expected: "a shape of rank at least 1") }
        guard shape.count <= limits.maxRank else {
            throw .limitExceeded(what: "\(field) rank", value: shape.count, limit: limits.maxRank)
        }
        guard shape.allSatisfy({ $0 >= 1 }) else { throw .emptyDimension(field: field, shape: shape) }
        guard let count = shape.checkedProduct(), count <= limits.maxElements else {
            throw .limitExceeded(
                what: "\(field) element count", value: shape.checkedProduct() ?? Int.max, limit: limits.maxElements)
        }
    }

    /// Checks a declared (symbolic) input shape, `nil` being the batch axis: rank 1 to
    /// `maxRank`, every fixed dimension ≥ 1, and the elements of one batch item (the fixed
    /// dimensions' product, overflow-checked) within `maxElements`, so that no shape a model
    /// stores can overflow the arithmetic of a route that reads it.
    /// - Throws: `invalidField` (a bad dimension), `limitExceeded` (rank or element count).
    public static func validateDeclaredShape(_ shape: [Int?], limits: DenseLimits, field: String) throws(DenseError) {
        guard !shape.isEmpty else { throw .invalidField(field: field, expected: "a shape of rank at least 1, such as [null, 20, 5]") }
        guard shape.count <= limits.maxRank else {
            throw .limitExceeded(what: "\(field) rank", value: shape.count, limit: limits.maxRank)
        }
        var elements = 1
        for dimension in shape {
            guard let dimension else { continue }
            guard dimension >= 1 else {
                throw .invalidField(
                    field: field, expected: "positive dimensions or null (the batch axis), got \(ModelDescription.format(shape))")
            }
            let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= limits.maxElements else {
                throw .limitExceeded(
                    what: "\(field) element count per batch item", value: overflow ? Int.max : product, limit: limits.maxElements)
            }
            elements = product
        }
    }

    public var dtype: DType { storage.dtype }
    public var count: Int { storage.count }
    public var rank: Int { shape.count }
}
