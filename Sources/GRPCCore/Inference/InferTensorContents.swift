/// `inference.InferTensorContents`: a tensor's elements as typed repeated fields, the
/// alternative to raw contents. The numeric fields are decoded into arrays (typed values
/// must be converted anyway); `bytes_contents` stays slices of the input.
///
/// FP16 and BF16 have no field: they travel as raw contents only.
public struct InferTensorContents: ProtoMessage {
    /// 1 `bool_contents`: BOOL.
    public var boolContents: [Bool] = []
    /// 2 `int_contents`: INT8, INT16, INT32.
    public var intContents: [Int32] = []
    /// 3 `int64_contents`: INT64.
    public var int64Contents: [Int64] = []
    /// 4 `uint_contents`: UINT8, UINT16, UINT32.
    public var uintContents: [UInt32] = []
    /// 5 `uint64_contents`: UINT64.
    public var uint64Contents: [UInt64] = []
    /// 6 `fp32_contents`: FP32.
    public var fp32Contents: [Float] = []
    /// 7 `fp64_contents`: FP64.
    public var fp64Contents: [Double] = []
    /// 8 `bytes_contents`: BYTES, one element per tensor element; slices of the input.
    public var bytesContents: [ArraySlice<UInt8>] = []

    /// No contents.
    public init() {}

    /// True when no field holds an element.
    public var isEmpty: Bool {
        boolContents.isEmpty && intContents.isEmpty && int64Contents.isEmpty && uintContents.isEmpty
            && uint64Contents.isEmpty && fp32Contents.isEmpty && fp64Contents.isEmpty && bytesContents.isEmpty
    }

    /// Reads the fields, packed or not, concatenating repeated runs.
    public mutating func merge(from reader: inout ProtoReader) throws(GRPCCoreError) {
        while let tag = try reader.readTag() {
            switch tag.fieldNumber {
            case 1: try reader.appendBools(tag, field: "bool_contents", to: &boolContents)
            case 2: try reader.appendInt32s(tag, field: "int_contents", to: &intContents)
            case 3: try reader.appendInt64s(tag, field: "int64_contents", to: &int64Contents)
            case 4: try reader.appendUInt32s(tag, field: "uint_contents", to: &uintContents)
            case 5: try reader.appendUInt64s(tag, field: "uint64_contents", to: &uint64Contents)
            case 6: try reader.appendFloats(tag, field: "fp32_contents", to: &fp32Contents)
            case 7: try reader.appendDoubles(tag, field: "fp64_contents", to: &fp64Contents)
            case 8:
                try reader.appendBytes(
                    tag, field: "bytes_contents", to: &bytesContents, maxCount: reader.limits.maxRepeatedElements)
            default: try reader.skipUnknown(tag)
            }
        }
    }

    /// Writes the non-empty fields, packed.
    public func encode(to writer: inout ProtoWriter) {
        writer.writePackedBools(1, boolContents)
        writer.writePackedInt32s(2, intContents)
        writer.writePackedInt64s(3, int64Contents)
        writer.writePackedUInt32s(4, uintContents)
        writer.writePackedUInt64s(5, uint64Contents)
        writer.writePackedFloats(6, fp32Contents)
        writer.writePackedDoubles(7, fp64Contents)
        writer.writeBytesElements(8, bytesContents)
    }

    /// Equal elements in every field; floats and doubles compare by their bits.
    public static func == (lhs: InferTensorContents, rhs: InferTensorContents) -> Bool {
        lhs.boolContents == rhs.boolContents && lhs.intContents == rhs.intContents
            && lhs.int64Contents == rhs.int64Contents && lhs.uintContents == rhs.uintContents
            && lhs.uint64Contents == rhs.uint64Contents
            && lhs.fp32Contents.elementsEqual(rhs.fp32Contents) { $0.bitPattern == $1.bitPattern }
            && lhs.fp64Contents.elementsEqual(rhs.fp64Contents) { $0.bitPattern == $1.bitPattern }
            && lhs.bytesContents == rhs.bytesContents
    }
}
