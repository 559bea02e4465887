extension ModelMetadataResponse {
    /// `ModelMetadataResponse.TensorMetadata`: one input's or output's name, datatype and
    /// shape (-1 for a variable dimension).
    public struct TensorMetadata: ProtoFieldMessage {
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

        /// The fields in field-number order.
        public mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure) {
            try fields.string(1, "name", &name)
            try fields.string(2, "datatype", &datatype)
            try fields.int64s(3, "shape", &shape, max: \.maxShapeRank)
        }
    }
}
