/// The gRPC status codes (grpc/grpc doc/statuscodes.md), sent in the `grpc-status` trailer as
/// the decimal ``rawValue``.
public enum GRPCStatusCode: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Not an error.
    case ok = 0
    /// The call was cancelled, typically by the caller.
    case cancelled = 1
    /// Unknown error.
    case unknown = 2
    /// The client sent an invalid argument, whatever the state of the server.
    case invalidArgument = 3
    /// The deadline (`grpc-timeout`) expired before the call completed.
    case deadlineExceeded = 4
    /// A requested entity (a model) was not found.
    case notFound = 5
    /// The entity a client tried to create already exists.
    case alreadyExists = 6
    /// The caller may not execute the operation.
    case permissionDenied = 7
    /// A resource is exhausted: a quota, or a message larger than the maximum size.
    case resourceExhausted = 8
    /// The system is not in a state required for the operation.
    case failedPrecondition = 9
    /// The operation was aborted (a concurrency conflict).
    case aborted = 10
    /// The operation was attempted past the valid range.
    case outOfRange = 11
    /// The method is not implemented or not supported (also: an unknown compression).
    case unimplemented = 12
    /// An invariant broke; also what gRPC libraries answer for a message they cannot parse.
    case `internal` = 13
    /// The service is unavailable (overloaded, shutting down); the client may retry.
    case unavailable = 14
    /// Unrecoverable data loss or corruption.
    case dataLoss = 15
    /// The request lacks valid authentication credentials.
    case unauthenticated = 16

    /// The code's name as the gRPC documentation spells it: `OK`, `INVALID_ARGUMENT`, ….
    public var name: String {
        switch self {
        case .ok: "OK"
        case .cancelled: "CANCELLED"
        case .unknown: "UNKNOWN"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .permissionDenied: "PERMISSION_DENIED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .outOfRange: "OUT_OF_RANGE"
        case .unimplemented: "UNIMPLEMENTED"
        case .internal: "INTERNAL"
        case .unavailable: "UNAVAILABLE"
        case .dataLoss: "DATA_LOSS"
        case .unauthenticated: "UNAUTHENTICATED"
        }
    }

    /// The `grpc-status` trailer value: the code in decimal (`"0"`, `"13"`).
    public var trailerValue: String { String(rawValue) }

    /// The code a `grpc-status` trailer value names; nil for anything but a decimal 0–16.
    public init?(trailerValue: some StringProtocol) {
        guard !trailerValue.isEmpty, trailerValue.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let number = UInt8(trailerValue), let code = GRPCStatusCode(rawValue: number)
        else { return nil }
        self = code
    }

    /// Same as ``name``.
    public var description: String { name }
}
