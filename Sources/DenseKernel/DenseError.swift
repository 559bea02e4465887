/// Everything that can be wrong with a model or an input, found at the boundary.
///
/// Each case names the field at fault and the value that was expected, so a
/// client can fix its request from the message alone. `code` is stable and
/// snake_case; the HTTP layer maps cases to statuses in one place.
public enum DenseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A field is structurally wrong (type, missing, not an integer …). `field` is a JSON path.
    case invalidField(field: String, expected: String)
    /// An activation name Keras does not know.
    case unknownActivation(name: String, field: String)
    /// An activation Keras knows but a Dense layer cannot use (e.g. `threshold`).
    case unsupportedActivation(name: String, field: String, reason: String)
    /// An initializer name we do not know.
    case unknownInitializer(name: String, field: String)
    /// A shape that does not fit (weights, input vs. layer, layer vs. layer).
    case shapeMismatch(String)
    /// A ragged nested array: sibling arrays of different lengths.
    case raggedTensor(field: String, detail: String)
    /// A dimension that is zero or negative.
    case emptyDimension(field: String, shape: [Int])
    /// A limit on rank, elements, parameters, layers or FLOPs was exceeded.
    case limitExceeded(what: String, value: Int, limit: Int)
    /// A value that cannot be represented in the requested dtype.
    case invalidValue(field: String, detail: String)

    /// Stable machine-readable error code.
    public var code: String {
        switch self {
        case .invalidField: "invalid_field"
        case .unknownActivation: "unknown_activation"
        case .unsupportedActivation: "unsupported_activation"
        case .unknownInitializer: "unknown_initializer"
        case .shapeMismatch: "shape_mismatch"
        case .raggedTensor: "ragged_tensor"
        case .emptyDimension: "empty_dimension"
        case .limitExceeded: "limit_exceeded"
        case .invalidValue: "invalid_value"
        }
    }

    public var description: String {
        switch self {
        case .invalidField(let field, let expected):
            "\(field): expected \(expected)"
        case .unknownActivation(let name, let field):
            "\(field): unknown activation \"\(name)\"; valid names are \(Activation.kerasNames.joined(separator: ", "))"
        case .unsupportedActivation(let name, let field, let reason):
            "\(field): activation \"\(name)\" is not supported: \(reason)"
        case .unknownInitializer(let name, let field):
            "\(field): unknown initializer \"\(name)\"; valid names are \(Initializer.kerasNames.joined(separator: ", "))"
        case .shapeMismatch(let message):
            message
        case .raggedTensor(let field, let detail):
            "\(field): ragged tensor: \(detail)"
        case .emptyDimension(let field, let shape):
            "\(field): every dimension must be at least 1, got shape \(shape)"
        case .limitExceeded(let what, let value, let limit):
            "\(what) is \(value) but the limit is \(limit)"
        case .invalidValue(let field, let detail):
            "\(field): \(detail)"
        }
    }
}
