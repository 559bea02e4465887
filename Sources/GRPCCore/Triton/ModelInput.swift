/// `inference.ModelInput` of Triton's `model_config.proto`: one input of a model config.
/// Fields 5–9 (`reshape`, `is_shape_tensor`, `allow_ragged_batch`, `optional`,
/// `is_non_linear_format_io`) are not modelled and are skipped.
public struct ModelInput: ProtoFieldMessage {
    /// 1 `name`.
    public var name = ""
    /// 2 `data_type`.
    public var dataType = TritonDataType.invalid
    /// 3 `format`.
    public var format = Format.none
    /// 4 `dims`: the shape without the batch dimension (-1 for a variable one). At most
    /// ``GRPCCoreLimits/maxShapeRank`` when decoded.
    public var dims: [Int64] = []

    /// `ModelInput.Format`, the layout of an image input. An open enum, like every proto3
    /// enum.
    public struct Format: RawRepresentable, Hashable, Sendable {
        /// The enum number on the wire.
        public var rawValue: Int32
        /// The value of `rawValue`.
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// 0 `FORMAT_NONE` (the default).
        public static let none = Format(rawValue: 0)
        /// 1 `FORMAT_NHWC`.
        public static let nhwc = Format(rawValue: 1)
        /// 2 `FORMAT_NCHW`.
        public static let nchw = Format(rawValue: 2)
    }

    /// The fields in field-number order.
    public mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure) {
        try fields.string(1, "name", &name)
        try fields.enumeration(2, "data_type", &dataType)
        try fields.enumeration(3, "format", &format)
        try fields.dims(4, &dims)
    }

    /// An empty input.
    public init() {}

    /// An input `name` of `dataType` and `dims`.
    public init(name: String, dataType: TritonDataType, format: Format = .none, dims: [Int64]) {
        self.name = name
        self.dataType = dataType
        self.format = format
        self.dims = dims
    }
}
