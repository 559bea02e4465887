/// An RPC whose messages are instances of the module's generic messages (``EmptyRequest``,
/// ``ModelRequest``, ``FlagResponse``): its name makes theirs, so one message type serves
/// every RPC of the same shape and each still names itself in error paths.
public protocol ProtoRPC: Sendable {
    /// The RPC's name: `ServerLive`, whose messages are `ServerLiveRequest` and
    /// `ServerLiveResponse`.
    static var rpcName: String { get }
}

/// An RPC whose response is one `bool` (``FlagResponse``).
public protocol FlagRPC: ProtoRPC {
    /// The response's field 1 in error paths: `live`, `ready`.
    static var flagName: StaticString { get }
}
