extension ModelInferRequest {
    /// `ModelInferRequest.InferInputTensor`: one input's name, datatype, shape, and its
    /// typed contents when it is not sent raw.
    public struct InferInputTensor: ProtoMessage {
        /// 1 `name`.
        public var name = ""
        /// 2 `datatype`: a V2 datatype name (`FP32`, `INT64`, `BYTES`, …).
        public var datatype = ""
        /// 3 `shape`. At most ``GRPCCoreLimits/maxShapeRank`` dimensions.
        public var shape: [Int64] = []
        /// 4 `parameters`.
        public var parameters: [String: InferParameter] = [:]
        /// 5 `contents`; nil when the field is absent (the input is raw, or empty).
        public var contents: InferTensorContents?

        /// `InferInputTensor`.
        public static let protoName = "InferInputTensor"

        /// An empty input.
        public init() {}

        /// An input of `name`, `datatype` and `shape`.
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

        /// Reads the fields.
        public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
            while let tag = try reader.readTag() {
                switch tag.fieldNumber {
                case 1: name = try reader.readString(tag, field: "name")
                case 2: datatype = try reader.readString(tag, field: "datatype")
                case 3: try reader.appendInt64s(tag, field: "shape", to: &shape, maxCount: reader.limits.maxShapeRank)
                case 4: try reader.readParameterEntry(tag, field: "parameters", into: &parameters)
                case 5:
                    if contents == nil { contents = InferTensorContents() }
                    try reader.mergeMessage(tag, field: "contents", into: &contents!)
                default: try reader.skipUnknown(tag)
                }
            }
        }

        /// Writes the fields in field-number order (`contents` when present, even empty).
        public func encode(to writer: inout ProtoWriter) {
            writer.writeString(1, name)
            writer.writeString(2, datatype)
            writer.writePackedInt64s(3, shape)
            writer.writeParameters(4, parameters)
            if let contents { writer.writeMessage(5, contents) }
        }
    }
}
