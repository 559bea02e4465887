/// `inference.ModelOutput` of Triton's `model_config.proto`: one output of a model config.
/// Fields 4–7 (`label_filename`, `reshape`, `is_shape_tensor`, `is_non_linear_format_io`)
/// are not modelled and are skipped.
public struct ModelOutput: ProtoFieldMessage {
    /// 1 `name`.
    public var name = ""
    /// 2 `data_type`.
    public var dataType = TritonDataType.invalid
    /// 3 `dims`: the shape without the batch dimension. At most
    /// ``GRPCCoreLimits/maxShapeRank`` when decoded.
    public var dims: [Int64] = []

    /// The fields in field-number order.
    public mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure) {
        try fields.string(1, "name", &name)
        try fields.enumeration(2, "data_type", &dataType)
        try fields.dims(3, &dims)
    }

    /// An empty output.
    public init() {}

    /// An output `name` of `dataType` and `dims`.
    public init(name: String, dataType: TritonDataType, dims: [Int64]) {
        self.name = name
        self.dataType = dataType
        self.dims = dims
    }
}
