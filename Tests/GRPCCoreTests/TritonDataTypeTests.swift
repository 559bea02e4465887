import GRPCCore
import Testing

/// model_config.proto's DataType numbers and Triton's V2 datatype names.
@Suite struct TritonDataTypeTests {
    @Test(arguments: [
        ("BOOL", Int32(1)), ("UINT8", 2), ("UINT16", 3), ("UINT32", 4), ("UINT64", 5), ("INT8", 6), ("INT16", 7), ("INT32", 8),
        ("INT64", 9), ("FP16", 10), ("FP32", 11), ("FP64", 12), ("BYTES", 13), ("BF16", 14),
    ])
    func v2Names(_ name: String, _ number: Int32) throws {
        let type = try #require(TritonDataType(v2Datatype: name))
        #expect(type.rawValue == number)
        #expect(type.v2Datatype == name)
    }

    @Test func unknownNamesAndNumbers() {
        #expect(TritonDataType(v2Datatype: "FLOAT32") == nil)
        #expect(TritonDataType(v2Datatype: "fp32") == nil)
        #expect(TritonDataType.invalid.v2Datatype == nil && TritonDataType(rawValue: 15).v2Datatype == nil)
        #expect(TritonDataType.fp32.description == "TYPE_FP32" && TritonDataType.string.description == "TYPE_STRING")
        #expect(TritonDataType(rawValue: 99).description == "99")
    }
}
