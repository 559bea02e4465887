/// The compute dtype of a layer or a tensor: Keras's `float32` or `float64`.
public enum DType: String, Sendable, CaseIterable, Equatable {
    case float32
    case float64

    /// Bytes per element.
    public var byteSize: Int { self == .float32 ? 4 : 8 }
}

/// The element type of an input as it arrives on the wire, before it is cast to a compute dtype.
///
/// Keras casts integer and bool inputs to the layer's float dtype; half-precision inputs are
/// widened; a float64 input to a float32 layer is rounded to float32 first.
public enum WireDType: String, Sendable, CaseIterable, Equatable {
    case float32, float64, float16, bfloat16
    case int8, int16, int32, int64, uint8, uint16, uint32, uint64, bool

    /// Bytes per element in little-endian raw form.
    public var byteSize: Int {
        switch self {
        case .int8, .uint8, .bool: 1
        case .float16, .bfloat16, .int16, .uint16: 2
        case .float32, .int32, .uint32: 4
        case .float64, .int64, .uint64: 8
        }
    }
}
