import GRPCCore
import Testing

/// The writer's encodings, checked byte by byte and read back through ProtoReader.
@Suite struct ProtoWriterTests {
    @Test(arguments: [
        (UInt64(0), 1), (127, 1), (128, 2), (16383, 2), (16384, 3), (UInt64(UInt32.max), 5), (1 << 63, 10), (UInt64.max, 10),
    ])
    func varintSizes(_ value: UInt64, _ size: Int) throws {
        #expect(ProtoWriter.varintSize(value) == size)
        var writer = ProtoWriter()
        writer.writeVarint(value)
        #expect(writer.bytes.count == size)
        var reader = ProtoReader(writer.bytes[...])
        #expect(try reader.readVarint() == value)
    }

    @Test func negativeIntegersTakeTenBytes() {
        let minusOne: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]
        var writer = ProtoWriter()
        writer.writeInt64(3, -1)
        #expect(writer.bytes == [0x18] + minusOne)
        writer = ProtoWriter()
        writer.writeInt32(4, -1)
        #expect(writer.bytes == [0x20] + minusOne)
        writer = ProtoWriter()
        writer.writePackedInt64s(3, [-1, 1])
        #expect(writer.bytes == [0x1A, 11] + minusOne + [0x01])
    }

    @Test func proto3DefaultsAreOmitted() {
        var writer = ProtoWriter()
        writer.writeInt64(1, 0)
        writer.writeUInt64(1, 0)
        writer.writeInt32(1, 0)
        writer.writeUInt32(1, 0)
        writer.writeBool(1, false)
        writer.writeString(1, "")
        writer.writeBytes(1, [][...])
        writer.writeDouble(1, 0)
        writer.writePackedInt64s(1, [])
        writer.writePackedFloats(1, [])
        writer.writeStrings(1, [])
        #expect(writer.bytes.isEmpty)
        writer.writeDouble(1, -0.0)
        #expect(writer.bytes == [0x09, 0, 0, 0, 0, 0, 0, 0, 0x80])
        #expect(ModelInferRequest().encoded().isEmpty && ModelConfigResponse().encoded().isEmpty)
    }

    /// Oneof members and repeated elements are written even at their default.
    @Test func presenceKeepsDefaults() {
        #expect(InferParameter.bool(false).encoded() == [0x08, 0x00])
        #expect(InferParameter.int64(0).encoded() == [0x10, 0x00])
        #expect(InferParameter.string("").encoded() == [0x1A, 0x00])
        #expect(InferParameter.double(0).encoded() == [0x21, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(InferParameter.uint64(0).encoded() == [0x28, 0x00])
        #expect(InferParameter.unset.encoded().isEmpty)
        #expect(ServerMetadataResponse(name: "", version: "", extensions: [""]).encoded() == [0x1A, 0x00])
        #expect(ModelInferResponse(modelName: "", rawOutputContents: [[]]).encoded() == [0x32, 0x00])
        #expect(ModelConfig(name: "", dynamicBatching: ModelDynamicBatching()).encoded() == [0x5A, 0x00])
    }

    /// An embedded message's length takes as many bytes as it needs; the body moves up.
    @Test(arguments: [0, 1, 127, 128, 300, 16383, 16384, 70000])
    func nestedMessageLengths(_ bodyLength: Int) throws {
        var writer = ProtoWriter(appendingTo: [0xEE])
        writer.writeLengthDelimited(5) { body in
            body.bytes.append(contentsOf: (0..<bodyLength).map { UInt8(truncatingIfNeeded: $0) })
        }
        writer.writeBool(6, true)
        #expect(writer.bytes.count == 1 + 1 + ProtoWriter.varintSize(UInt64(bodyLength)) + bodyLength + 2)
        var reader = ProtoReader(writer.bytes.dropFirst())
        #expect(try reader.readTag() == ProtoTag(fieldNumber: 5, wireType: .lengthDelimited))
        let body = try reader.readLengthDelimited()
        #expect(body.elementsEqual((0..<bodyLength).map { UInt8(truncatingIfNeeded: $0) }))
        #expect(try reader.readTag() == ProtoTag(fieldNumber: 6, wireType: .varint))
    }

    @Test func bytesFromRawMemoryMatchBytesFromASlice() {
        let floats: [Float] = [1, 2, 3]
        var fromPointer = ProtoWriter()
        floats.withUnsafeBytes { fromPointer.writeBytes(7, $0) }
        var fromSlice = ProtoWriter()
        fromSlice.writeBytes(7, floats.withUnsafeBytes { Array($0) }[...])
        #expect(fromPointer.bytes == fromSlice.bytes)
        #expect(fromPointer.bytes.prefix(2) == [0x3A, 12])
    }

    @Test func packedFloatsAndDoublesKeepTheirBits() throws {
        let contents = InferTensorContents()
        var floats = contents
        floats.fp32Contents = [-0.0, .nan, .infinity, .leastNonzeroMagnitude]
        floats.fp64Contents = [-0.0, .signalingNaN]
        let decoded = try InferTensorContents(decoding: floats.encoded())
        #expect(decoded.fp32Contents.map(\.bitPattern) == floats.fp32Contents.map(\.bitPattern))
        #expect(decoded.fp64Contents.map(\.bitPattern) == floats.fp64Contents.map(\.bitPattern))
        #expect(floats.encoded().prefix(2) == [0x32, 16])
    }

    @Test func encodeIntoAppendsAndFramingReservesThePrefix() {
        let request = ModelReadyRequest(name: "dense", version: "2")
        var bytes: [UInt8] = [9, 9]
        request.encode(into: &bytes)
        #expect(bytes == [9, 9] + request.encoded())
        #expect(request.encodeFramed() == [0, 0, 0, 0, 10] + request.encoded())
    }
}
