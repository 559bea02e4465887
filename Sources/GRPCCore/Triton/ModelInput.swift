/// `inference.ModelInput` of Triton's `model_config.proto`: one input of a model config.
/// Fields 5–9 (`reshape`, `is_shape_tensor`, `allow_ragged_batch`, `optional`,
/// `is_non_linear_format_io`) are not modelled and are skipped.
public struct ModelInput: ProtoMessage {
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

    /// `ModelInput`.
    public static let protoName = "ModelInput"

    /// An empty input.
    public init() {}

    /// An input `name` of `dataType` and `dims`.
    public init(name: String, dataType: TritonDataType, format: Format = .none, dims: [Int64]) {
        self.name = name
        self.dataType = dataType
        self.format = format
        self.dims = dims
    }

    /// Reads the fields.
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: name = try reader.readString(tag, field: "name")
            case 2: dataType = TritonDataType(rawValue: try reader.readInt32(tag, field: "data_type"))
            case 3: format = Format(rawValue: try reader.readInt32(tag, field: "format"))
            case 4: try reader.appendInt64s(tag, field: "dims", to: &dims, maxCount: reader.limits.maxShapeRank)
            default: try reader.skipUnknown(tag)
            }
        }
    }

    /// Writes the fields in field-number order.
    public func encode(to writer: inout ProtoWriter) {
        writer.writeString(1, name)
        writer.writeInt32(2, dataType.rawValue)
        writer.writeInt32(3, format.rawValue)
        writer.writePackedInt64s(4, dims)
    }
}
