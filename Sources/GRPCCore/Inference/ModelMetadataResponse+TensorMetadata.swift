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

        /// The fields in field-number order.
        public mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure) {
            try fields.tensorHeader(&name, &datatype, &shape)
        }

        /// Empty metadata.
        public init() {}

        /// Metadata of a tensor `name`.
        public init(name: String, datatype: String, shape: [Int64]) {
            self.name = name
            self.datatype = datatype
            self.shape = shape
        }
    }
}
