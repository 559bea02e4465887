/// The V2 `ModelReady` RPC: is one model ready for inferencing?
public enum ModelReadyRPC: FlagRPC {
    /// `ModelReady`.
    public static let rpcName = "ModelReady"
    /// `ready`.
    public static let flagName: StaticString = "ready"
}

/// `inference.ModelReadyRequest`: the model's `name` and `version`.
public typealias ModelReadyRequest = ModelRequest<ModelReadyRPC>
/// `inference.ModelReadyResponse`: 1 `ready`, the model is ready for inferencing.
public typealias ModelReadyResponse = FlagResponse<ModelReadyRPC>
