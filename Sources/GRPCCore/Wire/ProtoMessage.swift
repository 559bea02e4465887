/// A protobuf message this module reads and writes by hand: the wire format's merge rule
/// and a field-number-ordered encoder. Every message type of the module conforms.
///
/// Decoding follows proto3: unknown fields are skipped, a scalar that occurs twice keeps the
/// last value, a singular message that occurs twice is merged, repeated fields concatenate
/// (packed and unpacked runs alike). Encoding writes fields in field-number order and omits
/// proto3 defaults, which is what protobuf's serializers write (map entries are sorted by key,
/// as deterministic serialization sorts them).
///
/// Equality compares floating-point values by their bits (NaN equals the same NaN, -0.0 does
/// not equal 0.0), so a message always equals its own round trip.
public protocol ProtoMessage: Sendable, Equatable {
    /// The message's name in error paths: `ModelInferRequest`. By default the Swift type's
    /// name, which is the proto's for every message here but the generic ones.
    static var protoName: String { get }

    /// The empty message: every field at its default.
    init()

    /// Reads fields from `reader` until its end, merging them into `self`.
    /// - Throws: ``GRPCCoreError`` with the path of the field inside this message.
    mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError)

    /// Appends the message's fields (not a length prefix) to `writer`.
    func encode(to writer: inout ProtoWriter)
}

extension ProtoMessage {
    /// The type's name without its module or enclosing type (`TensorMetadata`): each message
    /// is named as in its `.proto`, so the name is stated once.
    public static var protoName: String { String(describing: Self.self) }

    /// The message in `bytes`; `bytes` fields of the result are slices of `bytes` (no copy),
    /// which keep its storage alive.
    /// - Throws: ``GRPCCoreError``: malformed protobuf, or over a cap of `limits`; the path
    ///   starts with ``protoName``.
    public init(decoding bytes: ArraySlice<UInt8>, limits: GRPCCoreLimits = GRPCCoreLimits()) throws(GRPCCoreError) {
        self.init()
        var reader = ProtoReader(bytes, limits: limits)
        do throws(GRPCCoreError) { try merge(from: &reader) } catch { throw error.within(Self.protoName) }
    }

    /// The message in the whole of `bytes`.
    public init(decoding bytes: [UInt8], limits: GRPCCoreLimits = GRPCCoreLimits()) throws(GRPCCoreError) {
        try self.init(decoding: bytes[...], limits: limits)
    }

    /// The message serialized.
    public func encoded() -> [UInt8] {
        var writer = ProtoWriter()
        encode(to: &writer)
        return writer.bytes
    }

    /// Appends the serialized message to `bytes` (in place: the array is moved into the
    /// writer and back, never copied).
    public func encode(into bytes: inout [UInt8]) {
        var writer = ProtoWriter(appendingTo: [])
        swap(&writer.bytes, &bytes)
        encode(to: &writer)
        swap(&writer.bytes, &bytes)
    }

    /// The serialized message behind a gRPC message prefix (flag 0, not compressed): the
    /// 5 bytes are reserved first and filled at the end, so the frame costs no copy.
    public func encodeFramed() -> [UInt8] {
        var writer = ProtoWriter(appendingTo: [0, 0, 0, 0, 0])
        encode(to: &writer)
        GRPCMessageFrame.writePrefix(
            compressed: false, length: writer.bytes.count - GRPCMessageFrame.prefixLength, into: &writer.bytes, at: 0)
        return writer.bytes
    }
}
