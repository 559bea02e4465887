extension ModelInferRequest {
    /// `ModelInferRequest.InferRequestedOutputTensor`: an output the client asks for.
    public struct InferRequestedOutputTensor: ProtoFieldMessage {
        /// 1 `name`.
        public var name = ""
        /// 2 `parameters` (tritonclient sends `binary_data`, `classification`).
        public var parameters: [String: InferParameter] = [:]

        /// The fields in field-number order.
        public mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure) {
            try fields.string(1, "name", &name)
            try fields.parameters(2, "parameters", &parameters)
        }

        /// An empty output request.
        public init() {}

        /// A request for the output `name`.
        public init(name: String, parameters: [String: InferParameter] = [:]) {
            self.name = name
            self.parameters = parameters
        }
    }
}
