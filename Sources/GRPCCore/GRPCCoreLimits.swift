/// Caps on what decoding one message may hold, so a hostile message cannot make the decoder
/// allocate much more than its own size: every count is checked before the element is added
/// (an empty element costs 2 bytes on the wire but ~100 bytes decoded). Passing one is a
/// ``GRPCCoreError/invalid(path:expected:)`` naming the field.
///
/// Not capped, because their size is bounded by the bytes that carry them: numeric tensor
/// contents (at most 8 bytes decoded per wire byte; a packed field's element count is read
/// from its bytes, never from a claimed count) and `bytes` fields (slices of the input).
public struct GRPCCoreLimits: Sendable, Equatable {
    /// Length-delimited messages nested inside the top-level one. Default 32; the deepest
    /// message DenseServe reads is 3 deep (`ModelInferRequest.inputs[].parameters[].value`).
    public var maxDepth: Int
    /// Tensors of one message: `inputs`, `outputs`, `raw_input_contents`,
    /// `raw_output_contents`, a model config's `input` / `output`. Default 1024.
    public var maxTensors: Int
    /// Entries of one `map<string, InferParameter>` (distinct keys). Default 256.
    public var maxParameters: Int
    /// Dimensions of one shape (`shape`, `dims`). Default 64 (numpy's maximum).
    public var maxShapeRank: Int
    /// UTF-8 bytes of one `string` field (names, datatypes, `id`, parameter strings).
    /// Default 64 KiB.
    public var maxStringBytes: Int
    /// Elements of any other repeated field of strings or bytes (`bytes_contents`,
    /// `extensions`, `versions`) or of `preferred_batch_size`. Default 1 << 20.
    public var maxRepeatedElements: Int

    /// Limits with the defaults documented on each property.
    public init(
        maxDepth: Int = 32, maxTensors: Int = 1024, maxParameters: Int = 256, maxShapeRank: Int = 64,
        maxStringBytes: Int = 1 << 16, maxRepeatedElements: Int = 1 << 20
    ) {
        self.maxDepth = maxDepth
        self.maxTensors = maxTensors
        self.maxParameters = maxParameters
        self.maxShapeRank = maxShapeRank
        self.maxStringBytes = maxStringBytes
        self.maxRepeatedElements = maxRepeatedElements
    }
}
