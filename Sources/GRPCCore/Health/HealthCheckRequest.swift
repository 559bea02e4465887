/// `grpc.health.v1.HealthCheckRequest` (grpc/grpc doc/health-checking.md): the request of
/// `grpc.health.v1.Health/Check`, which Kubernetes' `grpc:` probes call.
public struct HealthCheckRequest: ProtoFieldMessage {
    /// 1 `service`: "" asks about the whole server.
    public var service = ""

    /// The fields in field-number order.
    public mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure) {
        try fields.string(1, "service", &service)
    }

    /// A request about the whole server.
    public init() {}

    /// A request about `service`.
    public init(service: String) { self.service = service }
}
