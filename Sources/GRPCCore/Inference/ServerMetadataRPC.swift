/// The V2 `ServerMetadata` RPC: the server's name, version and extensions
/// (``ServerMetadataResponse``).
public enum ServerMetadataRPC: ProtoRPC {
    /// `ServerMetadata`.
    public static let rpcName = "ServerMetadata"
}

/// `inference.ServerMetadataRequest`: empty.
public typealias ServerMetadataRequest = EmptyRequest<ServerMetadataRPC>
