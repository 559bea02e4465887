/// `inference.ModelOutput` of Triton's `model_config.proto`: one output of a model config.
/// Fields 4–7 (`label_filename`, `reshape`, `is_shape_tensor`, `is_non_linear_format_io`)
/// are not modelled and are skipped.
public struct ModelOutput: ProtoMessage {
    /// 1 `name`.
    public var name = ""
    /// 2 `data_type`.
    public var dataType = TritonDataType.invalid
    /// 3 `dims`: the shape without the batch dimension. At most
    /// ``GRPCCoreLimits/maxShapeRank`` when decoded.
    public var dims: [Int64] = []

    /// `ModelOutput`.
    public static let protoName = "ModelOutput"

    /// An empty output.
    public init() {}

    /// An output `name` of `dataType` and `dims`.
    public init(name: String, dataType: TritonDataType, dims: [Int64]) {
        self.name = name
        self.dataType = dataType
        self.dims = dims
    }

    /// Reads the fields.
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: name = try reader.readString(tag, field: "name")
            case 2: dataType = TritonDataType(rawValue: try reader.readInt32(tag, field: "data_type"))
            case 3: try reader.appendInt64s(tag, field: "dims", to: &dims, maxCount: reader.limits.maxShapeRank)
            default: try reader.skipUnknown(tag)
            }
        }
    }

    /// Writes the fields in field-number order.
    public func encode(to writer: inout ProtoWriter) {
        writer.writeString(1, name)
        writer.writeInt32(2, dataType.rawValue)
        writer.writePackedInt64s(3, dims)
    }
}
