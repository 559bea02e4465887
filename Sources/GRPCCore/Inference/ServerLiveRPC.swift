/// The V2 `ServerLive` RPC: is the server able to receive and answer requests?
public enum ServerLiveRPC: FlagRPC {
    /// `ServerLive`.
    public static let rpcName = "ServerLive"
    /// `live`.
    public static let flagName: StaticString = "live"
}

/// `inference.ServerLiveRequest`: empty.
public typealias ServerLiveRequest = EmptyRequest<ServerLiveRPC>
/// `inference.ServerLiveResponse`: 1 `live`, the server can receive and answer requests.
public typealias ServerLiveResponse = FlagResponse<ServerLiveRPC>
