/// The one error type of `TensorJSON`: what went wrong, where (a byte offset into
/// the input), and a message a human can act on.
///
/// Map it to a response with `code` (stable snake_case, never changes for a case)
/// and `message`; tests should assert `code`, not message text. Every case is a
/// client mistake (HTTP 400 for all but `tooLarge`, which suits 413 or 422).
public enum JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not JSON: unexpected byte, missing separator, bad literal,
    /// leading zeros, trailing garbage, control character in a string, bad escape.
    case malformedJSON(offset: Int, message: String)
    /// An object holds the same key twice (keys compare by their UTF-8 bytes).
    case duplicateKey(offset: Int, message: String)
    /// Arrays and objects nest deeper than `JSONLimits.maxDepth`.
    case nestingTooDeep(offset: Int, message: String)
    /// A finite number literal is too large for a Double (e.g. `1e400`).
    case numberOutOfRange(offset: Int, message: String)
    /// A string holds bytes that are not UTF-8, or a `\u` escape names a lone surrogate.
    case invalidUTF8(offset: Int, message: String)
    /// A limit other than depth was exceeded (`limit`: string bytes, element count, object keys).
    case tooLarge(offset: Int, limit: JSONLimits.Limit, message: String)
    /// A base64 text has a bad length, alphabet or padding (`Base64.decode`).
    case invalidBase64(offset: Int, message: String)

    /// Stable snake_case identifier of the case, e.g. `malformed_json`.
    public var code: String {
        switch self {
        case .malformedJSON: "malformed_json"
        case .duplicateKey: "duplicate_key"
        case .nestingTooDeep: "nesting_too_deep"
        case .numberOutOfRange: "number_out_of_range"
        case .invalidUTF8: "invalid_utf8"
        case .tooLarge: "too_large"
        case .invalidBase64: "invalid_base64"
        }
    }

    /// Byte offset into the input where the problem was found (0-based).
    public var offset: Int {
        switch self {
        case .malformedJSON(let offset, _), .duplicateKey(let offset, _),
            .nestingTooDeep(let offset, _), .numberOutOfRange(let offset, _),
            .invalidUTF8(let offset, _), .tooLarge(let offset, _, _), .invalidBase64(let offset, _):
            offset
        }
    }

    /// What is wrong, for a human, without the offset (see `description` for both).
    public var message: String {
        switch self {
        case .malformedJSON(_, let message), .duplicateKey(_, let message),
            .nestingTooDeep(_, let message), .numberOutOfRange(_, let message),
            .invalidUTF8(_, let message), .tooLarge(_, _, let message), .invalidBase64(_, let message):
            message
        }
    }

    /// The limit a `tooLarge` broke; nil for every other case.
    public var limit: JSONLimits.Limit? {
        if case .tooLarge(_, let limit, _) = self { return limit }
        return nil
    }

    /// `"<message> at byte <offset>"`.
    public var description: String { "\(message) at byte \(offset)" }
}
