/// `grpc.health.v1.HealthCheckRequest` (grpc/grpc doc/health-checking.md): the request of
/// `grpc.health.v1.Health/Check`, which Kubernetes' `grpc:` probes call.
public struct HealthCheckRequest: ProtoMessage {
    /// 1 `service`: "" asks about the whole server.
    public var service = ""

    /// `HealthCheckRequest`.
    public static let protoName = "HealthCheckRequest"

    /// A request about the whole server.
    public init() {}

    /// A request about `service`.
    public init(service: String) { self.service = service }

    /// Reads the fields.
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: service = try reader.readString(tag, field: "service")
            default: try reader.skipUnknown(tag)
            }
        }
    }

    /// Writes `service` when not empty.
    public func encode(to writer: inout ProtoWriter) {
        writer.writeString(1, service)
    }
}
