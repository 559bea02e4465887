import Testing

@testable import DenseKernel
@testable import InferenceService

@Suite struct WeightsDigestTests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    static func sha(_ text: [UInt8], pieces: Int = 1) -> String {
        var hasher = SHA256()
        let size = max(1, text.count / pieces)
        var start = 0
        while start < text.count {
            let end = min(text.count, start + size)
            text[start..<end].withUnsafeBytes { hasher.update($0) }
            start = end
        }
        return hex(hasher.finish())
    }

    /// FIPS 180-4 examples (one block, two blocks) and a 1,000-byte message fed in pieces
    /// that straddle block boundaries.
    @Test func matchesTheFIPSVectors() {
        #expect(Self.sha(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let twoBlocks = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(Self.sha(twoBlocks) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let thousand = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for pieces in [1, 3, 7, 1000] {
            #expect(Self.sha(thousand, pieces: pieces) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        }
    }

    /// The same hex as Python's `hashlib.sha256(b"".join(w.astype("<f4").tobytes() for w in weights))`.
    @Test func digestOfAModelIsPythonsOverGetWeights() throws {
        let layer = try DenseLayer(
            config: LayerConfig(name: "d", units: 2), inputDim: 2, kernel: .float32([0.5, -0.25, 1, 2]), bias: .float32([0.1, 0.2]))
        let model = try DenseModel(layers: [layer])
        #expect(WeightsDigest.of(model) == "sha256:2c1b01f59d111b2e3530987f507890d20c31509255f2fdcbbe2505028ca7d5f3")
        let harness = try APIHarness()
        let put = harness.call("PUT", "/v1/models/d", #"{"layer": {"units": 2, "kernel": [[0.5, -0.25], [1, 2]], "bias": [0.1, 0.2]}}"#)
        #expect(put.json["weights_digest"] as? String == WeightsDigest.of(model))
    }
}
