import GRPCCore
import Testing

/// The wire-format reader's edge cases, through `ProtoReader` directly and through messages.
@Suite struct ProtoReaderTests {
    func varint(_ bytes: [UInt8]) throws(GRPCCoreError) -> UInt64 {
        var reader = ProtoReader(bytes[...])
        let value = try reader.readVarint()
        #expect(reader.isAtEnd)
        return value
    }

    func malformed(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("expected a malformed-protobuf error", sourceLocation: sourceLocation)
        } catch {
            #expect((error as? GRPCCoreError)?.isMalformedProtobuf == true, "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func varints() throws {
        #expect(try varint([0x00]) == 0)
        #expect(try varint([0x96, 0x01]) == 150)
        #expect(try varint([0x80, 0x00]) == 0, "non-minimal encodings are accepted, as protobuf accepts them")
        #expect(try varint([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]) == UInt64.max)
    }

    @Test func overlongAndOverflowingVarintsAreRejected() {
        malformed { _ = try varint([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]) }
        malformed { _ = try varint([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]) }
        malformed { _ = try varint([0x80]) }
        malformed { _ = try varint([]) }
    }

    @Test func tags() throws {
        var reader = ProtoReader([0xF8, 0xFF, 0xFF, 0xFF, 0x0F, 0x0A][...])
        #expect(try reader.readTag() == ProtoTag(fieldNumber: (1 << 29) - 1, wireType: .varint))
        #expect(try reader.readTag() == ProtoTag(fieldNumber: 1, wireType: .lengthDelimited))
        #expect(try reader.readTag() == nil)
    }

    @Test func invalidTagsAreRejected() {
        for bytes: [UInt8] in [[0x00, 0x00], [0x06], [0x0F], [0x80, 0x80, 0x80, 0x80, 0x10, 0x00]] {
            malformed {
                var reader = ProtoReader(bytes[...])
                _ = try reader.readTag()
            }
            malformed { _ = try ServerLiveRequest(decoding: bytes) }
        }
    }

    /// Field 2 varint, 3 fixed64, 4 length-delimited, 5 fixed32, then the known field 1.
    @Test func unknownFieldsOfEveryWireTypeAreSkipped() throws {
        let bytes: [UInt8] = [0x10, 0x96, 0x01, 0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x22, 0x02, 0xAA, 0xBB, 0x2D, 1, 2, 3, 4, 0x08, 0x01]
        #expect(try ServerLiveResponse(decoding: bytes).value)
        #expect(try ServerLiveRequest(decoding: bytes) == ServerLiveRequest())
        var reader = ProtoReader(bytes[...])
        var skipped = 0
        while let tag = try reader.readTag(), tag.fieldNumber != 1 {
            try reader.skip(wireType: tag.wireType)
            skipped += 1
        }
        #expect(skipped == 4)
    }

    @Test func groupsAreRejected() {
        malformed { _ = try ServerLiveRequest(decoding: [0x0B, 0x0C]) }
        malformed { _ = try ServerLiveRequest(decoding: [0x0C]) }
        malformed {
            var reader = ProtoReader([][...])
            try reader.skip(wireType: .startGroup)
        }
    }

    @Test func truncatedValuesAreRejected() {
        malformed { _ = try ModelReadyRequest(decoding: [0x0A, 0x05, 0x61]) }
        malformed { _ = try ServerLiveResponse(decoding: [0x21, 1, 2, 3]) }
        malformed { _ = try ServerLiveResponse(decoding: [0x2D, 1, 2, 3]) }
        malformed { _ = try ServerLiveResponse(decoding: [0x08]) }
        // A length near 2^64 must not wrap into a small Int.
        malformed { _ = try ModelReadyRequest(decoding: [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x61]) }
        malformed { _ = try ModelInferRequest(decoding: [0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]) }
    }

    @Test func errorsNameTheFieldPath() {
        // inputs[0] is fine; inputs[1].shape's packed run ends inside a varint.
        let bytes: [UInt8] = [0x2A, 0x03, 0x0A, 0x01, 0x61, 0x2A, 0x04, 0x1A, 0x02, 0x01, 0x80]
        #expect(throws: GRPCCoreError.self) { try ModelInferRequest(decoding: bytes) }
        do {
            _ = try ModelInferRequest(decoding: bytes)
        } catch {
            #expect(error.path == "ModelInferRequest.inputs[1].shape")
            #expect(error.message.hasPrefix("malformed protobuf: ModelInferRequest.inputs[1].shape: expected"))
            #expect(error.statusCode == .internal)
        }
    }

    @Test func knownFieldsWithAnotherWireTypeAreRejected() {
        malformed { _ = try ModelReadyRequest(decoding: [0x08, 0x01]) }
        malformed { _ = try ServerLiveResponse(decoding: [0x0A, 0x00]) }
        // fp32_contents is fixed32 or packed, not fixed64.
        malformed { _ = try InferTensorContents(decoding: [0x31, 0, 0, 0, 0, 0, 0, 0x80, 0x3F]) }
    }

    @Test func invalidUTF8IsRejected() throws {
        malformed { _ = try ModelReadyRequest(decoding: [0x0A, 0x01, 0xFF]) }
        #expect(try ModelReadyRequest(decoding: [0x0A, 0x02, 0xC3, 0xA9]).name == "é")
    }

    @Test func packedAndUnpackedRepeatedScalarsAgree() throws {
        typealias Input = ModelInferRequest.InferInputTensor
        let packed = try Input(decoding: [0x1A, 0x03, 0x01, 0x96, 0x01])
        let unpacked = try Input(decoding: [0x18, 0x01, 0x18, 0x96, 0x01])
        let mixed = try Input(decoding: [0x18, 0x01, 0x1A, 0x02, 0x96, 0x01])
        #expect(packed.shape == [1, 150])
        #expect(unpacked == packed && mixed == packed)
        let floats = try InferTensorContents(decoding: [0x32, 0x08, 0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0, 0x35, 0, 0, 0x40, 0x40])
        #expect(floats.fp32Contents == [1, -2, 3])
        let doubles = try InferTensorContents(decoding: [0x39, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
        #expect(doubles.fp64Contents == [1])
    }

    @Test func packedFixedRunsMustBeWholeElements() {
        malformed { _ = try InferTensorContents(decoding: [0x32, 0x03, 0, 0, 0]) }
        malformed { _ = try InferTensorContents(decoding: [0x3A, 0x04, 0, 0, 0, 0]) }
    }

    @Test func negativeInt64AndInt32() throws {
        let minusOne: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]
        #expect(try ModelInferRequest.InferInputTensor(decoding: [0x18] + minusOne).shape == [-1])
        #expect(try InferTensorContents(decoding: [0x10] + minusOne).intContents == [-1])
        // int32 keeps the low 32 bits of a varint, as protobuf does.
        #expect(try InferTensorContents(decoding: [0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F]).intContents == [-1])
        #expect(try ModelConfig(decoding: [0x20] + minusOne).maxBatchSize == -1)
    }

    @Test func depthLimit() throws {
        // ModelInferRequest → inputs[0] → parameters entry → value: 3 levels deep.
        let bytes: [UInt8] = [0x2A, 0x08, 0x22, 0x06, 0x0A, 0x00, 0x12, 0x02, 0x08, 0x01]
        #expect(try ModelInferRequest(decoding: bytes, limits: GRPCCoreLimits(maxDepth: 3)).inputs[0].parameters[""] == .bool(true))
        do {
            _ = try ModelInferRequest(decoding: bytes, limits: GRPCCoreLimits(maxDepth: 2))
            Issue.record("expected the depth limit")
        } catch {
            #expect(error.statusCode == .invalidArgument)
            #expect(error.path == "ModelInferRequest.inputs[0].parameters[0].value")
        }
        // 40 nested length-delimited values: the reader refuses the 33rd level.
        var nested: [UInt8] = []
        for _ in 0..<40 { nested = [0x0A, UInt8(nested.count)] + nested }
        var reader = ProtoReader(nested[...])
        var levels = 0
        do {
            while try reader.readTag() != nil {
                reader = try reader.readNested()
                levels += 1
            }
            Issue.record("expected the depth limit")
        } catch {
            #expect(levels == 32)
            #expect(!error.isMalformedProtobuf)
        }
    }

    /// Protobuf's merge rules: the last scalar wins, a singular message merges, repeated
    /// fields concatenate, the last oneof member wins, a later map entry replaces.
    @Test func mergeRules() throws {
        let request = try ModelReadyRequest(decoding: [0x0A, 0x01, 0x61, 0x0A, 0x01, 0x62])
        #expect(request.name == "b")
        let input = try ModelInferRequest.InferInputTensor(decoding: [0x2A, 0x02, 0x10, 0x01, 0x2A, 0x02, 0x10, 0x02])
        #expect(input.contents?.intContents == [1, 2])
        #expect(try InferParameter(decoding: [0x08, 0x01, 0x10, 0x05]) == .int64(5))
        let entries: [UInt8] = [0x22, 0x07, 0x0A, 0x01, 0x6B, 0x12, 0x02, 0x08, 0x01, 0x22, 0x07, 0x0A, 0x01, 0x6B, 0x12, 0x02, 0x10, 0x02]
        #expect(try ModelInferRequest(decoding: entries).parameters == ["k": .int64(2)])
        // An entry without key or value: key "", value unset.
        #expect(try ModelInferRequest(decoding: [0x22, 0x00]).parameters == ["": .unset])
        #expect(try ModelInferRequest.InferInputTensor(decoding: [0x2A, 0x00]).contents == InferTensorContents())
        #expect(try ModelInferRequest.InferInputTensor(decoding: []).contents == nil)
    }

    @Test func oneofOfModelConfigSchedulingClearsDynamicBatching() throws {
        // dynamic_batching (11), then sequence_batching (13): the later member wins.
        let config = try ModelConfig(decoding: [0x5A, 0x02, 0x10, 0x05, 0x6A, 0x00])
        #expect(config.dynamicBatching == nil)
        #expect(try ModelConfig(decoding: [0x5A, 0x02, 0x10, 0x05]).dynamicBatching?.maxQueueDelayMicroseconds == 5)
    }

    @Test func floatingPointEqualityIsBitwise() throws {
        let nan = try InferTensorContents(decoding: [0x32, 0x04, 0, 0, 0xC0, 0x7F])
        #expect(nan.fp32Contents[0].isNaN)
        #expect(nan == nan)
        #expect(InferParameter.double(-0.0) != .double(0.0))
        #expect(InferParameter.double(.nan) == .double(.nan))
    }
}
