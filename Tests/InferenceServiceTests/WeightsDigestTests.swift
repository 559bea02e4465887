import Testing

@testable import DenseKernel
@testable import InferenceService

@Suite struct WeightsDigestTests {
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
