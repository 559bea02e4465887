import DenseKernel
import GRPCCore
import HTTPCore
import KerasFile
import TensorJSON

/// Every failure the inference service can report, with its HTTP status and stable code
/// decided in exactly one place (``status`` and ``code``).
public enum ServiceError: Error, Sendable, CustomStringConvertible {
    /// The body is not valid JSON (or breaks a JSON limit).
    case json(JSONError)
    /// The JSON is well-formed but a field has the wrong type, is missing, or is unknown.
    case badRequest(field: String, expected: String)
    /// A model or input that is well-formed but impossible (shapes, activations, limits).
    case dense(DenseError)
    /// No such route.
    case routeNotFound(path: String)
    /// The route exists but not for this method.
    case methodNotAllowed(method: String, allowed: [String])
    /// No registered model with that name (or version).
    case modelNotFound(name: String, version: Int?)
    /// A model name that breaks the naming rule.
    case invalidModelName(String)
    /// Admin route without (valid) credentials.
    case unauthorized
    /// Admin route from a non-loopback peer while no token is configured.
    case forbidden(String)
    /// Worker queue full: retry after the given seconds.
    case overloaded(retryAfterSeconds: Int)
    /// The client closed its connection before the work started (its end of file arrived
    /// with the request unanswered): the work is skipped, as nginx aborts such requests (499).
    case clientClosedRequest
    /// A body in a format this server does not read, recognised by its first bytes (a
    /// model file on PUT). `Content-Type` is never read: JSON bodies are JSON whatever it says.
    case unsupportedMediaType(String)
    /// The model store failed to persist (disk full, permissions). A server fault.
    case storage(String)
    /// A V2 (Open Inference Protocol) body whose binary tensor framing is broken:
    /// `Inference-Header-Content-Length` beyond the body, `binary_data_size` not matching
    /// the tensor or the bytes present, bytes left over.
    case binaryFraming(String)
    /// A V2 input whose `shape` disagrees with its `data` (element count or nesting).
    case shapeDataMismatch(String)
    /// A well-formed Keras model with a layer (or a topology, or a dtype policy) DenseServe
    /// does not serve; `field` is the layer's path, `className` its Keras class.
    case unsupportedLayer(field: String, className: String, reason: String)
    /// A model file (`.keras`, `.h5`) that is malformed (400), over a cap (413) or outside
    /// what is read (422).
    case modelFile(KerasFileError)
    /// A gRPC message that does not parse, breaks a cap, or is too large.
    case grpc(GRPCCoreError)
    /// A gRPC call's `grpc-timeout` passed before its answer.
    case deadlineExceeded
    /// A `grpc.health.v1.Health/Check` for a service this server does not serve.
    case unknownService(String)

    /// The HTTP status for this error. The one exhaustive mapping of errors to statuses.
    public var status: Int {
        switch self {
        case .json(let error): error.code == "too_large" ? 413 : 400
        case .badRequest: 400
        case .dense(let error):
            switch error {
            case .invalidField: 400
            case .unknownActivation, .unsupportedActivation, .unknownInitializer, .shapeMismatch, .raggedTensor,
                .emptyDimension, .limitExceeded, .invalidValue:
                422
            }
        case .routeNotFound, .modelNotFound: 404
        case .methodNotAllowed: 405
        case .invalidModelName: 400
        case .unauthorized: 401
        case .forbidden: 403
        case .overloaded: 503
        case .clientClosedRequest: 499
        case .unsupportedMediaType: 415
        case .storage: 500
        case .binaryFraming, .shapeDataMismatch: 400
        case .unsupportedLayer: 422
        case .modelFile(let error): error.status
        case .grpc(let error): if case .messageTooLarge = error { 413 } else { 400 }
        case .deadlineExceeded: 504
        case .unknownService: 404
        }
    }

    /// The gRPC status for this error, next to ``status``: the one mapping for gRPC.
    public var grpcStatus: GRPCStatusCode {
        switch self {
        case .grpc(let error): error.statusCode
        case .routeNotFound, .methodNotAllowed, .unsupportedMediaType: .unimplemented
        case .modelNotFound, .unknownService: .notFound
        case .unauthorized: .unauthenticated
        case .forbidden: .permissionDenied
        case .overloaded: .unavailable
        case .clientClosedRequest: .cancelled
        case .storage: .internal
        case .deadlineExceeded: .deadlineExceeded
        case .json, .badRequest, .dense, .invalidModelName, .binaryFraming, .shapeDataMismatch, .unsupportedLayer, .modelFile:
            status == 413 ? .resourceExhausted : .invalidArgument
        }
    }

    /// Stable snake_case code for clients.
    public var code: String {
        switch self {
        case .json(let error): error.code
        case .badRequest: "invalid_request"
        case .dense(let error): error.code
        case .routeNotFound: "route_not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .modelNotFound: "model_not_found"
        case .invalidModelName: "invalid_model_name"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .overloaded: "overloaded"
        case .clientClosedRequest: "client_closed_request"
        case .unsupportedMediaType: "unsupported_media_type"
        case .storage: "storage_error"
        case .binaryFraming: "invalid_binary_data"
        case .shapeDataMismatch: "shape_data_mismatch"
        case .unsupportedLayer: "unsupported_layer"
        case .modelFile(let error):
            switch error {
            case .malformed: "invalid_model_file"
            case .overLimit: "model_file_too_large"
            case .unsupported: "unsupported_model_file"
            }
        case .grpc(let error):
            switch error {
            case .malformed: "invalid_protobuf"
            case .invalid: "invalid_request"
            case .messageTooLarge: "message_too_large"
            }
        case .deadlineExceeded: "deadline_exceeded"
        case .unknownService: "unknown_service"
        }
    }

    /// Extra headers the status needs (`Allow`, `Retry-After`, `WWW-Authenticate`).
    public var headers: [(String, String)] {
        switch self {
        case .methodNotAllowed(_, let allowed): [("Allow", allowed.joined(separator: ", "))]
        case .overloaded(let seconds): [("Retry-After", String(seconds))]
        case .unauthorized: [("WWW-Authenticate", "Bearer")]
        default: []
        }
    }

    /// A message for a human, naming the field and what was expected.
    public var description: String {
        switch self {
        case .json(let error): error.limit == nil ? "malformed JSON: \(error.description)" : "JSON body too large: \(error.description)"
        case .badRequest(let field, let expected): "\(field): expected \(expected)"
        case .dense(let error): error.description
        case .routeNotFound(let path): "no route for \(path)"
        case .methodNotAllowed(let method, let allowed):
            "method \(method) is not allowed here; allowed: \(allowed.joined(separator: ", "))"
        case .modelNotFound(let name, let version):
            version.map { "model \"\(name)\" has no version \($0)" } ?? "no model named \"\(name)\""
        case .invalidModelName(let name):
            "model name \"\(name)\" is invalid: expected [A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
        case .unauthorized: "this admin route needs Authorization: Bearer <token>"
        case .forbidden(let why): why
        case .overloaded(let seconds): "all workers are busy and the queue is full; retry in \(seconds) s"
        case .clientClosedRequest: "the client closed the connection before the work started; nothing was done"
        case .unsupportedMediaType(let why): why
        case .storage(let why): "model store: \(why)"
        case .binaryFraming(let why): "binary tensor data: \(why)"
        case .shapeDataMismatch(let why): why
        case .unsupportedLayer(let field, let className, let reason):
            "\(field): layer class \(JSONValue.quotedExcerpt(className)) is not supported: \(reason)"
        case .modelFile(let error): error.description
        case .grpc(let error): error.message
        case .deadlineExceeded: "the call's grpc-timeout passed before its answer"
        case .unknownService(let name):
            "unknown service \(JSONValue.quotedExcerpt(name)); this server serves \"\" and \"inference.GRPCInferenceService\""
        }
    }

    /// The error body `{"error": …, "code": …}`.
    /// Longest message an error body carries. A message quotes what the client sent (a
    /// name, a value), and a 5.5 MB bad value once came back as a 5.5 MB error: past this,
    /// the message is cut and says so.
    public static let maxMessageCharacters = 600

    /// ``description``, cut to ``maxMessageCharacters`` (on a character boundary).
    public var message: String {
        let text = description
        guard text.count > Self.maxMessageCharacters else { return text }
        return String(text.prefix(Self.maxMessageCharacters)) + "… (message cut at \(Self.maxMessageCharacters) characters)"
    }

    public var jsonBody: [UInt8] { jsonBody() }

    /// The JSON size limit this error broke (a 413), if it is one.
    public var jsonLimit: JSONLimits.Limit? {
        if case .json(let error) = self { return error.limit }
        return nil
    }

    /// The error body; for a broken JSON size limit (``jsonLimit``) the message names it with
    /// its value from `limits` and how to raise it (`settings`; without an entry, by its
    /// `JSONLimits` property), and the body adds `"limit"` and `"limit_value"`.
    public func jsonBody(limits: JSONLimits = .default, settings: [JSONLimits.Limit: LimitSetting] = [:]) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        if let limit = jsonLimit {
            let setting = settings[limit] ?? LimitSetting(name: limit.rawValue, howToRaise: "JSONLimits.\(limit.rawValue)")
            let value = limits.value(of: limit)
            writer.write(
                setting.sentence(
                    message, value: value, unit: limit == .maxStringBytes ? "bytes" : limit == .maxElements ? "values" : "keys"),
                forKey: "error")
            writer.write(code, forKey: "code")
            writer.write(setting.name, forKey: "limit")
            writer.write(value, forKey: "limit_value")
        } else {
            writer.write(message, forKey: "error")
            writer.write(code, forKey: "code")
        }
        writer.endObject()
        return writer.bytes
    }
}
