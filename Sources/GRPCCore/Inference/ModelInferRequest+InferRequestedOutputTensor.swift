extension ModelInferRequest {
    /// `ModelInferRequest.InferRequestedOutputTensor`: an output the client asks for.
    public struct InferRequestedOutputTensor: ProtoMessage {
        /// 1 `name`.
        public var name = ""
        /// 2 `parameters` (tritonclient sends `binary_data`, `classification`).
        public var parameters: [String: InferParameter] = [:]

        /// `InferRequestedOutputTensor`.
        public static let protoName = "InferRequestedOutputTensor"

        /// An empty output request.
        public init() {}

        /// A request for the output `name`.
        public init(name: String, parameters: [String: InferParameter] = [:]) {
            self.name = name
            self.parameters = parameters
        }

        /// Reads the fields.
        public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
            while let tag = try reader.readTag() {
                switch tag.fieldNumber {
                case 1: name = try reader.readString(tag, field: "name")
                case 2: try reader.readParameterEntry(tag, field: "parameters", into: &parameters)
                default: try reader.skipUnknown(tag)
                }
            }
        }

        /// Writes the fields in field-number order.
        public func encode(to writer: inout ProtoWriter) {
            writer.writeString(1, name)
            writer.writeParameters(2, parameters)
        }
    }
}
