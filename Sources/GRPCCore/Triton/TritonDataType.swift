/// `inference.DataType` of Triton's `model_config.proto`, the element type in a model
/// config. An open enum, as proto3 enums are: a value this module has no name for is kept
/// as its number and written back unchanged.
public struct TritonDataType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The enum number on the wire.
    public var rawValue: Int32

    /// The value of `rawValue`.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// 0 `TYPE_INVALID` (the default).
    public static let invalid = TritonDataType(rawValue: 0)
    /// 1 `TYPE_BOOL`.
    public static let bool = TritonDataType(rawValue: 1)
    /// 2 `TYPE_UINT8`.
    public static let uint8 = TritonDataType(rawValue: 2)
    /// 3 `TYPE_UINT16`.
    public static let uint16 = TritonDataType(rawValue: 3)
    /// 4 `TYPE_UINT32`.
    public static let uint32 = TritonDataType(rawValue: 4)
    /// 5 `TYPE_UINT64`.
    public static let uint64 = TritonDataType(rawValue: 5)
    /// 6 `TYPE_INT8`.
    public static let int8 = TritonDataType(rawValue: 6)
    /// 7 `TYPE_INT16`.
    public static let int16 = TritonDataType(rawValue: 7)
    /// 8 `TYPE_INT32`.
    public static let int32 = TritonDataType(rawValue: 8)
    /// 9 `TYPE_INT64`.
    public static let int64 = TritonDataType(rawValue: 9)
    /// 10 `TYPE_FP16`.
    public static let fp16 = TritonDataType(rawValue: 10)
    /// 11 `TYPE_FP32`.
    public static let fp32 = TritonDataType(rawValue: 11)
    /// 12 `TYPE_FP64`.
    public static let fp64 = TritonDataType(rawValue: 12)
    /// 13 `TYPE_STRING`: the V2 datatype `BYTES`.
    public static let string = TritonDataType(rawValue: 13)
    /// 14 `TYPE_BF16`.
    public static let bf16 = TritonDataType(rawValue: 14)

    /// V2 datatype names in the order of the enum numbers 1–14.
    private static let v2Names = [
        "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES",
        "BF16",
    ]

    /// The type of a V2 datatype name (`FP32` → `TYPE_FP32`, `BYTES` → `TYPE_STRING`), as
    /// Triton maps them; nil for a name that is not a V2 datatype.
    public init?(v2Datatype: some StringProtocol) {
        guard let index = Self.v2Names.firstIndex(where: { $0 == v2Datatype }) else { return nil }
        self.init(rawValue: Int32(index + 1))
    }

    /// The V2 datatype name (`FP32`, `BYTES`); nil for `TYPE_INVALID` and unknown numbers.
    public var v2Datatype: String? {
        rawValue >= 1 && Int(rawValue) <= Self.v2Names.count ? Self.v2Names[Int(rawValue) - 1] : nil
    }

    /// The enum's name in `model_config.proto` (`TYPE_FP32`, `TYPE_STRING`), or the number.
    public var description: String {
        switch self {
        case .invalid: "TYPE_INVALID"
        case .string: "TYPE_STRING"
        default: v2Datatype.map { "TYPE_" + $0 } ?? String(rawValue)
        }
    }
}
