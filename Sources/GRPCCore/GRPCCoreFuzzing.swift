/// Entry points of the `grpc` libFuzzer target (`dense-fuzz grpc`, see `Fuzz/README.md`) and
/// of the corpus replay test. Not part of the module's API: import with `@_spi(Fuzzing)`.
@_spi(Fuzzing) public enum GRPCCoreFuzzing {
    /// Small caps, so one input stays cheap and the caps themselves get exercised.
    public static let limits = GRPCCoreLimits(
        maxDepth: 8, maxTensors: 16, maxParameters: 16, maxShapeRank: 8, maxStringBytes: 256, maxRepeatedElements: 256)

    /// Runs arbitrary bytes through everything the module parses. Traps when an invariant
    /// breaks:
    /// - a unary frame that parses re-frames to the same bytes, and its message is a slice
    ///   of them;
    /// - every message type: what decodes (from the frame's message, or from the bytes
    ///   themselves when they are not one frame) re-encodes to bytes that decode to an equal
    ///   message and re-encode identically, framed or not;
    /// - `grpc-timeout` parses only its grammar; percent-encoding round-trips and yields
    ///   printable ASCII.
    public static func run(_ bytes: [UInt8]) {
        var message = bytes[...]
        if let frame = try? GRPCMessageFrame.parseUnary(bytes, maxMessageBytes: 1 << 16) {
            precondition(frame.message.count + GRPCMessageFrame.prefixLength == bytes.count, "frame length")
            precondition(GRPCMessageFrame.framed(frame.message, compressed: frame.compressed) == bytes, "re-framing")
            message = frame.message
        }
        roundTrip(ServerLiveRequest.self, message)
        roundTrip(ServerLiveResponse.self, message)
        roundTrip(ServerReadyRequest.self, message)
        roundTrip(ServerReadyResponse.self, message)
        roundTrip(ModelReadyRequest.self, message)
        roundTrip(ModelReadyResponse.self, message)
        roundTrip(ServerMetadataRequest.self, message)
        roundTrip(ServerMetadataResponse.self, message)
        roundTrip(ModelMetadataRequest.self, message)
        roundTrip(ModelMetadataResponse.self, message)
        roundTrip(ModelConfigRequest.self, message)
        roundTrip(ModelConfigResponse.self, message)
        roundTrip(HealthCheckRequest.self, message)
        roundTrip(HealthCheckResponse.self, message)
        if let request = roundTrip(ModelInferRequest.self, message) {
            precondition(request.rawInputContents.count <= limits.maxTensors, "raw input cap")
        }
        if var response = roundTrip(ModelInferResponse.self, message) {
            let framed = response.encodeFramed()
            let raw = response.rawOutputContents
            response.rawOutputContents = []
            let written = response.encodeFramed(rawOutputByteCounts: raw.map(\.count)) { index, destination in
                raw[index].withUnsafeBytes { destination.copyMemory(from: $0) }
            }
            precondition(written == framed, "raw output writer")
        }
        text(bytes)
    }

    /// Decodes `bytes` as `Message`; when it decodes, checks the round trip and returns it.
    @discardableResult
    static func roundTrip<Message: ProtoMessage>(_ type: Message.Type, _ bytes: ArraySlice<UInt8>) -> Message? {
        guard let decoded = try? Message(decoding: bytes, limits: limits) else { return nil }
        let encoded = decoded.encoded()
        guard let again = try? Message(decoding: encoded, limits: limits) else {
            preconditionFailure("\(Message.protoName): the re-encoded message does not decode")
        }
        precondition(again == decoded, "\(Message.protoName): the round trip decodes to another message")
        precondition(again.encoded() == encoded, "\(Message.protoName): encoding is not deterministic")
        precondition(decoded.encodeFramed() == GRPCMessageFrame.framed(encoded), "\(Message.protoName): framed encoding")
        var appended: [UInt8] = [7]
        decoded.encode(into: &appended)
        precondition(appended == [7] + encoded, "\(Message.protoName): encode(into:)")
        return decoded
    }

    static func text(_ bytes: [UInt8]) {
        let string = String(decoding: bytes, as: UTF8.self)
        if let nanoseconds = GRPCTimeout.parse(string) {
            let utf8 = Array(string.utf8)
            precondition(utf8.count >= 2 && utf8.count <= 9, "timeout length")
            precondition(utf8.dropLast().allSatisfy { $0 >= 0x30 && $0 <= 0x39 }, "timeout digits")
            let value = utf8.dropLast().reduce(UInt64(0)) { $0 * 10 + UInt64($1 - 0x30) }
            precondition(nanoseconds >= value && (utf8.last != UInt8(ascii: "n") || nanoseconds == value), "timeout value")
        }
        let encoded = GRPCPercentEncoding.encode(string)
        precondition(encoded.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }, "percent-encoding is printable ASCII")
        precondition(GRPCPercentEncoding.decode(encoded).utf8.elementsEqual(string.utf8), "percent-encoding round trip")
        _ = GRPCPercentEncoding.decode(string)
    }
}
