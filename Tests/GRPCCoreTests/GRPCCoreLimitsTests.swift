import GRPCCore
import Testing

/// Each cap of GRPCCoreLimits refuses one element more than it allows, as INVALID_ARGUMENT
/// naming the field, and lets the allowed number through.
@Suite struct GRPCCoreLimitsTests {
    func invalid<M: ProtoMessage>(_ type: M.Type, _ bytes: [UInt8], _ limits: GRPCCoreLimits, path: String) {
        do {
            _ = try M(decoding: bytes, limits: limits)
            Issue.record("expected \(path) over its limit")
        } catch {
            #expect(error.statusCode == .invalidArgument, "\(error)")
            #expect(!error.isMalformedProtobuf)
            #expect(error.path == path)
        }
    }

    @Test func tensors() throws {
        let three: [UInt8] = [0x2A, 0x00, 0x2A, 0x00, 0x2A, 0x00]
        #expect(try ModelInferRequest(decoding: three, limits: GRPCCoreLimits(maxTensors: 3)).inputs.count == 3)
        invalid(ModelInferRequest.self, three, GRPCCoreLimits(maxTensors: 2), path: "ModelInferRequest.inputs")
        invalid(
            ModelInferRequest.self, [0x3A, 0x00, 0x3A, 0x00], GRPCCoreLimits(maxTensors: 1), path: "ModelInferRequest.raw_input_contents")
        invalid(ModelConfig.self, [0x2A, 0x00, 0x2A, 0x00], GRPCCoreLimits(maxTensors: 1), path: "ModelConfig.input")
    }

    @Test func shapeRank() throws {
        let packed: [UInt8] = [0x1A, 0x03, 0x01, 0x02, 0x03]
        typealias Input = ModelInferRequest.InferInputTensor
        #expect(try Input(decoding: packed, limits: GRPCCoreLimits(maxShapeRank: 3)).shape == [1, 2, 3])
        invalid(Input.self, packed, GRPCCoreLimits(maxShapeRank: 2), path: "InferInputTensor.shape")
        invalid(Input.self, [0x18, 0x01, 0x18, 0x02, 0x18, 0x03], GRPCCoreLimits(maxShapeRank: 2), path: "InferInputTensor.shape")
    }

    @Test func parameters() throws {
        func entry(_ key: UInt8) -> [UInt8] { [0x22, 0x07, 0x0A, 0x01, key, 0x12, 0x02, 0x08, 0x01] }
        let two = entry(0x61) + entry(0x62)
        #expect(try ModelInferRequest(decoding: two, limits: GRPCCoreLimits(maxParameters: 2)).parameters.count == 2)
        invalid(ModelInferRequest.self, two, GRPCCoreLimits(maxParameters: 1), path: "ModelInferRequest.parameters")
        // A repeated key replaces its value and does not count twice.
        #expect(try ModelInferRequest(decoding: entry(0x61) + entry(0x61), limits: GRPCCoreLimits(maxParameters: 1)).parameters.count == 1)
    }

    @Test func stringBytes() throws {
        let name: [UInt8] = [0x0A, 0x04] + Array("abcd".utf8)
        #expect(try ModelReadyRequest(decoding: name, limits: GRPCCoreLimits(maxStringBytes: 4)).name == "abcd")
        invalid(ModelReadyRequest.self, name, GRPCCoreLimits(maxStringBytes: 3), path: "ModelReadyRequest.name")
        invalid(
            ModelInferRequest.self, [0x22, 0x06, 0x0A, 0x04] + Array("abcd".utf8), GRPCCoreLimits(maxStringBytes: 3),
            path: "ModelInferRequest.parameters[0].key")
    }

    @Test func repeatedElements() throws {
        let extensions: [UInt8] = [0x1A, 0x00, 0x1A, 0x00]
        #expect(try ServerMetadataResponse(decoding: extensions, limits: GRPCCoreLimits(maxRepeatedElements: 2)).extensions == ["", ""])
        invalid(ServerMetadataResponse.self, extensions, GRPCCoreLimits(maxRepeatedElements: 1), path: "ServerMetadataResponse.extensions")
        invalid(
            InferTensorContents.self, [0x42, 0x00, 0x42, 0x00], GRPCCoreLimits(maxRepeatedElements: 1),
            path: "InferTensorContents.bytes_contents")
    }

    /// A packed run's element count comes from its bytes: 1000 one-byte varints make 1000
    /// elements, and a run claiming more bytes than the message has is malformed, never an
    /// allocation of the claimed size.
    @Test func packedCountsComeFromTheBytes() throws {
        let run = [UInt8](repeating: 0x01, count: 1000)
        let contents = try InferTensorContents(decoding: [0x1A, 0xE8, 0x07] + run)
        #expect(contents.int64Contents.count == 1000)
        #expect(contents.int64Contents.capacity < 4000)
        #expect(throws: GRPCCoreError.self) { try InferTensorContents(decoding: [0x1A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]) }
    }

    @Test func defaults() {
        let limits = GRPCCoreLimits()
        #expect(limits.maxDepth == 32 && limits.maxTensors == 1024 && limits.maxParameters == 256)
        #expect(limits.maxShapeRank == 64 && limits.maxStringBytes == 1 << 16 && limits.maxRepeatedElements == 1 << 20)
    }
}
