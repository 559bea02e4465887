/// Triton's ModelConfig RPC (`grpc_service.proto`; not in KServe's V2 protocol), which
/// tritonclient's `get_model_config` calls: one model's config (``ModelConfigResponse``).
public enum ModelConfigRPC: ProtoRPC {
    /// `ModelConfig`.
    public static let rpcName = "ModelConfig"
}

/// `inference.ModelConfigRequest`: the model's `name` and `version`.
public typealias ModelConfigRequest = ModelRequest<ModelConfigRPC>
