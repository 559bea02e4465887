/// The one error of GRPCCore: why bytes are not an acceptable gRPC message, naming the field
/// path where it was found (`ModelInferRequest.inputs[0].shape`) and what was expected there.
///
/// The three cases are the three gRPC statuses a server answers with (``statusCode``): a
/// message that does not parse (INTERNAL, as gRPC libraries answer), one that parses but
/// passes a ``GRPCCoreLimits`` cap (INVALID_ARGUMENT), and one longer than the server's
/// maximum message size (RESOURCE_EXHAUSTED).
public enum GRPCCoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not protobuf, or not this message: truncated, an overlong varint, a
    /// group, field number 0, a known field with another wire type than its declared one,
    /// a string that is not UTF-8; or a gRPC frame that is broken.
    case malformed(path: String, expected: String)
    /// Well-formed protobuf whose content passes a cap of ``GRPCCoreLimits`` (nesting depth,
    /// number of tensors, parameters or dimensions, string length).
    case invalid(path: String, expected: String)
    /// A length-prefixed message declares `length` bytes, more than the caller's `limit`.
    case messageTooLarge(length: Int, limit: Int)

    /// True for bytes that do not parse (``malformed(path:expected:)``): the caller answers
    /// INTERNAL; false for a semantically invalid or too large message.
    public var isMalformedProtobuf: Bool {
        if case .malformed = self { true } else { false }
    }

    /// The gRPC status a server answers this error with: INTERNAL for a malformed message,
    /// INVALID_ARGUMENT for one over a limit, RESOURCE_EXHAUSTED for one too large.
    public var statusCode: GRPCStatusCode {
        switch self {
        case .malformed: .internal
        case .invalid: .invalidArgument
        case .messageTooLarge: .resourceExhausted
        }
    }

    /// The field path, or "" for an error outside a message (``messageTooLarge(length:limit:)``).
    public var path: String {
        switch self {
        case .malformed(let path, _), .invalid(let path, _): path
        case .messageTooLarge: ""
        }
    }

    /// A human-readable sentence for `grpc-message`: the path, then what was expected.
    public var message: String {
        switch self {
        case .malformed(let path, let expected): "malformed protobuf: \(path.isEmpty ? "message" : path): expected \(expected)"
        case .invalid(let path, let expected): "invalid message: \(path.isEmpty ? "message" : path): expected \(expected)"
        case .messageTooLarge(let length, let limit): "received message larger than max (\(length) vs. \(limit))"
        }
    }

    /// Same as ``message``.
    public var description: String { message }

    /// The error seen from the enclosing message: `component` (a field name, or a message
    /// name at the top) is put in front of the path; `index` adds `[index]` after it.
    func within(_ component: String, index: Int? = nil) -> GRPCCoreError {
        let head = index.map { "\(component)[\($0)]" } ?? component
        switch self {
        case .malformed(let path, let expected): return .malformed(path: Self.join(head, path), expected: expected)
        case .invalid(let path, let expected): return .invalid(path: Self.join(head, path), expected: expected)
        case .messageTooLarge: return self
        }
    }

    private static func join(_ head: String, _ path: String) -> String {
        path.isEmpty ? head : head + "." + path
    }
}
