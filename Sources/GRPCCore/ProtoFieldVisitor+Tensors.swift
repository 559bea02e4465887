/// Field runs that several messages share, listed once.
extension ProtoFieldVisitor {
    /// Fields 1–3 of V2's tensor messages (`InferInputTensor`, `InferOutputTensor`,
    /// `TensorMetadata`): `name`, `datatype` and a `shape` of at most
    /// ``GRPCCoreLimits/maxShapeRank`` dimensions when read.
    public mutating func tensorHeader(
        _ name: inout String, _ datatype: inout String, _ shape: inout [Int64]
    ) throws(Failure) {
        try string(1, "name", &name)
        try string(2, "datatype", &datatype)
        try int64s(3, "shape", &shape, max: \.maxShapeRank)
    }

    /// Fields 1–4 of `ModelInferRequest` and `ModelInferResponse` alike: `model_name`,
    /// `model_version`, `id` and `parameters`.
    public mutating func inferHeader(
        _ modelName: inout String, _ modelVersion: inout String, _ id: inout String,
        _ parameters: inout [String: InferParameter]
    ) throws(Failure) {
        try string(1, "model_name", &modelName)
        try string(2, "model_version", &modelVersion)
        try string(3, "id", &id)
        try self.parameters(4, "parameters", &parameters)
    }

    /// The `dims` field of Triton's `ModelInput` and `ModelOutput`: a shape without the
    /// batch dimension, at most ``GRPCCoreLimits/maxShapeRank`` dimensions when read.
    public mutating func dims(_ number: Int, _ dims: inout [Int64]) throws(Failure) {
        try int64s(number, "dims", &dims, max: \.maxShapeRank)
    }
}
