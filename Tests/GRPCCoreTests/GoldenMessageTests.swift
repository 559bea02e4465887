import GRPCCore
import Testing

/// Messages serialized by real protobuf (upb, through tritonclient's and grpcio's generated
/// modules): each decodes to the manifest's value and re-encodes to protobuf's bytes.
@Suite struct GoldenMessageTests {
    @Test func manifestListsEveryFixture() {
        #expect(Golden.entries.count >= 20)
        #expect(Set(Golden.entries.map(\.message)).count == 16, "every message type has a golden file")
    }

    @Test(arguments: Golden.entries)
    func decodesToTheManifestValue(_ entry: Golden.Entry) throws {
        let decoded = try #require(try Golden.decode(entry.message, Golden.bytes(entry.file)), "unknown message \(entry.message)")
        #expect(decoded.0 == entry.value)
    }

    @Test(arguments: Golden.entries.filter { $0.encodesTo != nil })
    func reencodesToProtobufsBytes(_ entry: Golden.Entry) throws {
        let decoded = try #require(try Golden.decode(entry.message, Golden.bytes(entry.file)))
        let expected = Golden.bytes(try #require(entry.encodesTo))
        #expect(decoded.1 == expected, "\(entry.file): \(decoded.1.count) bytes vs protobuf's \(expected.count)")
    }

    /// The unpacked file differs from its packed twin on the wire but decodes equal to it.
    @Test func unpackedDecodesLikePacked() throws {
        let packed = try ModelInferRequest(decoding: Golden.bytes("model_infer_request_typed.bin"))
        let unpacked = try ModelInferRequest(decoding: Golden.bytes("model_infer_request_unpacked.bin"))
        #expect(Golden.bytes("model_infer_request_typed.bin") != Golden.bytes("model_infer_request_unpacked.bin"))
        #expect(packed == unpacked)
        #expect(packed.inputs.count == 9)
    }

    /// Raw contents are slices of the decoded buffer: no byte is copied.
    @Test func rawContentsAreSlicesOfTheInput() throws {
        let bytes = Golden.bytes("model_infer_request_tritonclient.bin")
        let request = try ModelInferRequest(decoding: bytes)
        #expect(request.rawInputContents.count == 4)
        bytes.withUnsafeBufferPointer { whole in
            for raw in request.rawInputContents where !raw.isEmpty {
                raw.withUnsafeBufferPointer { part in
                    #expect(part.baseAddress == whole.baseAddress! + raw.startIndex)
                }
            }
        }
        #expect(request.parameters["priority"] == .uint64(7))
        #expect(request.parameters["custom_double"] == .double(0.25))
        #expect(request.parameters["timeout"] == .int64(1500))
        #expect(request.outputs.last?.parameters["classification"] == .int64(3))
    }

    /// A response built in Swift (not decoded) serializes to protobuf's bytes, through every
    /// encoder: plain, framed, and framed with raw outputs written by a closure.
    @Test func builtResponseMatchesProtobuf() {
        let floats: [Float] = [1, -2, 0.5, 1e6]
        let raw = floats.withUnsafeBytes { Array($0) }
        let response = ModelInferResponse(
            modelName: "dense", modelVersion: "2", id: "req-1", parameters: ["triton_final_response": .bool(true)],
            outputs: [
                .init(name: "output", datatype: "FP32", shape: [2, 2]), .init(name: "none", datatype: "FP32", shape: [0, 4]),
            ],
            rawOutputContents: [raw[...], []])
        let golden = Golden.bytes("model_infer_response.bin")
        #expect(response.encoded() == golden)
        let framed = GRPCMessageFrame.framed(golden)
        #expect(response.encodeFramed() == framed)
        var metadata = response
        metadata.rawOutputContents = []
        let written = metadata.encodeFramed(rawOutputByteCounts: [raw.count, 0]) { index, destination in
            if index == 0 { floats.withUnsafeBytes { destination.copyMemory(from: $0) } }
        }
        #expect(written == framed)
    }

    @Test func builtModelConfigMatchesProtobuf() {
        let config = ModelConfig(
            name: "dense", platform: "keras_dense", backend: "denseserve", maxBatchSize: 8,
            input: [
                ModelInput(name: "input", dataType: .fp32, dims: [784]),
                ModelInput(name: "image", dataType: .uint8, format: .nchw, dims: [3, -1, -1]),
            ],
            output: [ModelOutput(name: "output", dataType: .fp32, dims: [10]), ModelOutput(name: "label", dataType: .string, dims: [1])],
            dynamicBatching: ModelDynamicBatching(preferredBatchSize: [4, 8], maxQueueDelayMicroseconds: 500))
        #expect(ModelConfigResponse(config: config).encoded() == Golden.bytes("model_config_response.bin"))
    }

    @Test func builtMetadataAndHealthMatchProtobuf() {
        let metadata = ModelMetadataResponse(
            name: "dense", versions: ["1", "2"], platform: "keras_dense",
            inputs: [.init(name: "input", datatype: "FP32", shape: [-1, 784])],
            outputs: [.init(name: "output", datatype: "FP32", shape: [-1, 10])])
        #expect(metadata.encoded() == Golden.bytes("model_metadata_response.bin"))
        let server = ServerMetadataResponse(
            name: "denseserve", version: "0.3.0", extensions: ["binary_tensor_data", "", "model_configuration"])
        #expect(server.encoded() == Golden.bytes("server_metadata_response.bin"))
        #expect(HealthCheckResponse(status: .serving).encoded() == Golden.bytes("health_check_response_serving.bin"))
        #expect(HealthCheckResponse(status: .notServing).encoded() == Golden.bytes("health_check_response_not_serving.bin"))
        #expect(ServerLiveResponse(true).encoded() == Golden.bytes("server_live_response.bin"))
        #expect(ModelReadyResponse(true).encoded() == Golden.bytes("model_ready_response.bin"))
        #expect(ServerReadyResponse(true).encoded() == Golden.bytes("server_ready_response.bin"))
    }

    /// Fields GRPCCore does not model (version policy, instance groups, reshape, …) are
    /// skipped, and a negative max_batch_size (a 10-byte varint) reads back.
    @Test func fullModelConfigSkipsUnmodelledFields() throws {
        let response = try ModelConfigResponse(decoding: Golden.bytes("model_config_response_full.bin"))
        let config = try #require(response.config)
        #expect(config.maxBatchSize == -1)
        #expect(config.input.first?.dims == [784])
        #expect(config.dynamicBatching?.maxQueueDelayMicroseconds == 500)
        #expect(response.encoded().count < Golden.bytes("model_config_response_full.bin").count)
    }

    /// Map keys where one is a prefix of another: upb orders them its own way; ours is the
    /// keys' byte order, and the decoded maps agree.
    @Test func prefixKeysDecodeEqualInEitherOrder() throws {
        let golden = Golden.bytes("model_infer_request_prefix_keys.bin")
        let request = try ModelInferRequest(decoding: golden)
        #expect(request.parameters == ["": .int64(0), "a": .int64(1), "ab": .int64(2), "b": .int64(1)])
        let ours = request.encoded()
        #expect(ours != golden && ours.count == golden.count)
        #expect(try ModelInferRequest(decoding: ours) == request)
    }
}
