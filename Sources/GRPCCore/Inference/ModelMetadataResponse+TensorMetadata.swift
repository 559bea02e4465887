extension ModelMetadataResponse {
    /// `ModelMetadataResponse.TensorMetadata`: one input's or output's name, datatype and
    /// shape (-1 for a variable dimension).
    public struct TensorMetadata: ProtoMessage {
        /// 1 `name`.
        public var name = ""
        /// 2 `datatype`: a V2 datatype name.
        public var datatype = ""
        /// 3 `shape`. At most ``GRPCCoreLimits/maxShapeRank`` dimensions when decoded.
        public var shape: [Int64] = []

        /// `TensorMetadata`.
        public static let protoName = "TensorMetadata"

        /// Empty metadata.
        public init() {}

        /// Metadata of a tensor `name`.
        public init(name: String, datatype: String, shape: [Int64]) {
            self.name = name
            self.datatype = datatype
            self.shape = shape
        }

        /// Reads the fields.
        public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
            while let tag = try reader.readTag() {
                switch tag.fieldNumber {
                case 1: name = try reader.readString(tag, field: "name")
                case 2: datatype = try reader.readString(tag, field: "datatype")
                case 3: try reader.appendInt64s(tag, field: "shape", to: &shape, maxCount: reader.limits.maxShapeRank)
                default: try reader.skipUnknown(tag)
                }
            }
        }

        /// Writes the fields in field-number order.
        public func encode(to writer: inout ProtoWriter) {
            writer.writeString(1, name)
            writer.writeString(2, datatype)
            writer.writePackedInt64s(3, shape)
        }
    }
}
