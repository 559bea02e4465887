/// The message name of one ``InferTensor`` instance.
public protocol InferTensorRole: Sendable {
    /// `InferInputTensor` or `InferOutputTensor`.
    static var protoName: String { get }
}

/// `ModelInferRequest.InferInputTensor`'s role.
public enum InferInputRole: InferTensorRole {
    /// `InferInputTensor`.
    public static let protoName = "InferInputTensor"
}

/// `ModelInferResponse.InferOutputTensor`'s role.
public enum InferOutputRole: InferTensorRole {
    /// `InferOutputTensor`.
    public static let protoName = "InferOutputTensor"
}

extension ModelInferRequest {
    /// `ModelInferRequest.InferInputTensor`: one input's name, datatype, shape, and its
    /// typed contents when it is not sent raw.
    public typealias InferInputTensor = InferTensor<InferInputRole>
}

extension ModelInferResponse {
    /// `ModelInferResponse.InferOutputTensor`: one output's name, datatype and shape (its
    /// data in `raw_output_contents`, or typed in `contents`).
    public typealias InferOutputTensor = InferTensor<InferOutputRole>
}

/// `InferInputTensor` and `InferOutputTensor`, which have the same fields: one tensor's name,
/// datatype, shape, parameters, and its typed contents when it is not sent raw.
public struct InferTensor<Role: InferTensorRole>: ProtoFieldMessage {
    /// 1 `name`.
    public var name = ""
    /// 2 `datatype`: a V2 datatype name (`FP32`, `INT64`, `BYTES`, …).
    public var datatype = ""
    /// 3 `shape`. At most ``GRPCCoreLimits/maxShapeRank`` dimensions when decoded.
    public var shape: [Int64] = []
    /// 4 `parameters`.
    public var parameters: [String: InferParameter] = [:]
    /// 5 `contents`; nil when the field is absent (the tensor is raw, or empty). Written
    /// when present, even empty.
    public var contents: InferTensorContents?

    /// `InferInputTensor` or `InferOutputTensor`.
    public static var protoName: String { Role.protoName }

    /// The fields in field-number order.
    public mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure) {
        try fields.tensorHeader(&name, &datatype, &shape)
        try fields.parameters(4, "parameters", &parameters)
        try fields.message(5, "contents", &contents)
    }

    /// An empty tensor.
    public init() {}

    /// A tensor of `name`, `datatype` and `shape`.
    public init(
        name: String, datatype: String, shape: [Int64], parameters: [String: InferParameter] = [:],
        contents: InferTensorContents? = nil
    ) {
        self.name = name
        self.datatype = datatype
        self.shape = shape
        self.parameters = parameters
        self.contents = contents
    }
}
