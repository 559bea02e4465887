/// `grpc.health.v1.HealthCheckResponse`: the answer of `grpc.health.v1.Health/Check`.
public struct HealthCheckResponse: ProtoFieldMessage {
    /// 1 `status`.
    public var status = ServingStatus.unknown

    /// `HealthCheckResponse.ServingStatus`. An open enum, like every proto3 enum.
    public struct ServingStatus: RawRepresentable, Hashable, Sendable {
        /// The enum number on the wire.
        public var rawValue: Int32
        /// The value of `rawValue`.
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// 0 `UNKNOWN` (the default).
        public static let unknown = ServingStatus(rawValue: 0)
        /// 1 `SERVING`.
        public static let serving = ServingStatus(rawValue: 1)
        /// 2 `NOT_SERVING` (e.g. while the server drains).
        public static let notServing = ServingStatus(rawValue: 2)
        /// 3 `SERVICE_UNKNOWN`: used by the Watch RPC only; Check answers NOT_FOUND instead.
        public static let serviceUnknown = ServingStatus(rawValue: 3)
    }

    /// The fields in field-number order.
    public mutating func visitFields<Visitor: ProtoFieldVisitor>(_ fields: inout Visitor) throws(Visitor.Failure) {
        try fields.enumeration(1, "status", &status)
    }

    /// A response with status `UNKNOWN`.
    public init() {}

    /// A response with `status`.
    public init(status: ServingStatus) { self.status = status }
}
