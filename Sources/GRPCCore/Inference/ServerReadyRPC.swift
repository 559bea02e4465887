/// The V2 `ServerReady` RPC: are the server and its models ready for inferencing?
public enum ServerReadyRPC: FlagRPC {
    /// `ServerReady`.
    public static let rpcName = "ServerReady"
    /// `ready`.
    public static let flagName: StaticString = "ready"
}

/// `inference.ServerReadyRequest`: empty.
public typealias ServerReadyRequest = EmptyRequest<ServerReadyRPC>
/// `inference.ServerReadyResponse`: 1 `ready`, the server is ready for inferencing.
public typealias ServerReadyResponse = FlagResponse<ServerReadyRPC>
