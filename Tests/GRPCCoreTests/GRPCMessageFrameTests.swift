import GRPCCore
import Testing

/// Unary request bodies: exactly one length-prefixed message.
@Suite struct GRPCMessageFrameTests {
    func malformed(_ body: [UInt8], max: Int = 100) {
        do {
            _ = try GRPCMessageFrame.parseUnary(body, maxMessageBytes: max)
            Issue.record("expected a framing error for \(body)")
        } catch {
            #expect(error.isMalformedProtobuf && error.statusCode == .internal, "\(error)")
        }
    }

    @Test func oneMessage() throws {
        let body: [UInt8] = [0, 0, 0, 0, 3, 7, 8, 9]
        let frame = try GRPCMessageFrame.parseUnary(body, maxMessageBytes: 3)
        #expect(!frame.compressed)
        #expect(frame.message == [7, 8, 9])
        #expect(frame.message.startIndex == 5, "a slice of the body")
        let compressed = try GRPCMessageFrame.parseUnary([1, 0, 0, 0, 1, 42], maxMessageBytes: 3)
        #expect(compressed.compressed && compressed.message == [42])
        #expect(try GRPCMessageFrame.parseUnary([0, 0, 0, 0, 0], maxMessageBytes: 0).message.isEmpty)
    }

    @Test func brokenBodies() {
        malformed([])
        malformed([0, 0, 0, 0])
        malformed([0, 0, 0, 0, 3, 7, 8], max: 3)
        malformed([0, 0, 0, 0, 1, 7, 8])
        malformed([0, 0, 0, 0, 1, 7, 0, 0, 0, 0, 1, 8], max: 3)
        malformed([2, 0, 0, 0, 1, 7])
        malformed([0xFF, 0, 0, 0, 0])
    }

    /// Over the maximum is RESOURCE_EXHAUSTED, decided from the declared length alone.
    @Test func tooLarge() {
        for body: [UInt8] in [[0, 0, 0, 0, 4, 1, 2, 3, 4], [0, 0, 0, 0, 4], [0, 0xFF, 0xFF, 0xFF, 0xFF]] {
            do {
                _ = try GRPCMessageFrame.parseUnary(body, maxMessageBytes: 3)
                Issue.record("expected messageTooLarge")
            } catch {
                #expect(error.statusCode == .resourceExhausted)
                #expect(!error.isMalformedProtobuf)
                if case .messageTooLarge(let length, let limit) = error {
                    #expect(limit == 3 && length >= 4)
                } else {
                    Issue.record("\(error)")
                }
            }
        }
        #expect(GRPCCoreError.messageTooLarge(length: 5_242_916, limit: 4_194_304).message.contains("(5242916 vs. 4194304)"))
    }

    @Test func prefix() throws {
        #expect(try GRPCMessageFrame.parsePrefix([0, 0, 0, 0][...]) == nil)
        let header = try #require(try GRPCMessageFrame.parsePrefix([1, 0x01, 0x02, 0x03, 0x04, 0xAA][...]))
        #expect(header.compressed && header.length == 0x0102_0304)
        var bytes: [UInt8] = [0xEE]
        GRPCMessageFrame.appendPrefix(compressed: false, length: 0x0102_0304, to: &bytes)
        #expect(bytes == [0xEE, 0, 0x01, 0x02, 0x03, 0x04])
        #expect(GRPCMessageFrame.framed([5, 6], compressed: true) == [1, 0, 0, 0, 2, 5, 6])
        let parsed = try GRPCMessageFrame.parseUnary(GRPCMessageFrame.framed([5, 6][...]), maxMessageBytes: 2)
        #expect(parsed == GRPCMessageFrame(compressed: false, message: [5, 6]))
    }
}
