/// The V2 `ModelMetadata` RPC: one model's inputs and outputs (``ModelMetadataResponse``).
public enum ModelMetadataRPC: ProtoRPC {
    /// `ModelMetadata`.
    public static let rpcName = "ModelMetadata"
}

/// `inference.ModelMetadataRequest`: the model's `name` and `version`.
public typealias ModelMetadataRequest = ModelRequest<ModelMetadataRPC>
