import Foundation
import TensorJSON
import Testing

@testable import DenseKernel
@_spi(Fuzzing) @testable import InferenceService

/// Keras model JSON (`model.to_json()` + `model.get_weights()`) with the layers real MLPs are
/// saved with, and the topologies that flatten into one chain.
@Suite struct KerasLayersTests {
    static func layer(_ className: String, _ config: String) -> String {
        #"{"module": "keras.layers", "class_name": "\#(className)", "config": {\#(config)}, "registered_name": null}"#
    }

    static let inputLayer = layer("InputLayer", #""batch_shape": [null, 4], "dtype": "float32", "name": "input_layer""#)
    static let mlpLayers = [
        inputLayer,
        layer("Dense", #""name": "hidden", "units": 3, "activation": "relu", "use_bias": true"#),
        layer("BatchNormalization", #""name": "batch_normalization", "axis": -1, "epsilon": 0.001, "center": true, "scale": true"#),
        layer("Dropout", #""name": "dropout", "rate": 0.5"#),
        layer("Dense", #""name": "head", "units": 2, "activation": "softmax""#),
    ]
    /// hidden kernel [4, 3], bias [3]; BN gamma, beta, moving_mean, moving_variance; head kernel [3, 2], bias [2].
    static let mlpWeights = """
        [[[0.5, -0.25, 0.125], [0.25, 0.5, -0.5], [-0.125, 0.25, 0.5], [1, 0, -1]], [0.1, 0.2, 0.3],
         [1.5, 1, 0.5], [0, 0.25, -0.25], [0.5, 0.5, 0.5], [4, 1, 0.25],
         [[1, -1], [0.5, 0.5], [-0.5, 1]], [0, 0.1]]
        """

    static func sequential(_ layers: [String], buildShape: String? = nil) -> String {
        let build = buildShape.map { #", "build_input_shape": \#($0)"# } ?? ""
        return
            #"{"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "layers": [\#(layers.joined(separator: ", "))]\#(build)}}"#
    }

    /// The MLP by hand, in float32 as Keras computes it.
    static func expectedMLP(_ x: [Float]) -> [Float] {
        let k1: [[Float]] = [[0.5, -0.25, 0.125], [0.25, 0.5, -0.5], [-0.125, 0.25, 0.5], [1, 0, -1]]
        let b1: [Float] = [0.1, 0.2, 0.3]
        var h = (0..<3).map { j in max(0, (0..<4).reduce(Float(0)) { $0 + x[$1] * k1[$1][j] } + b1[j]) }
        let gamma: [Float] = [1.5, 1, 0.5], beta: [Float] = [0, 0.25, -0.25], mean: [Float] = [0.5, 0.5, 0.5],
            variance: [Float] = [4, 1, 0.25]
        for j in 0..<3 {
            let inv = 1 / (variance[j] + 0.001).squareRoot() * gamma[j]
            h[j] = h[j] * inv + (beta[j] - mean[j] * inv)
        }
        let k2: [[Float]] = [[1, -1], [0.5, 0.5], [-0.5, 1]]
        let z = (0..<2).map { j in (0..<3).reduce(Float(0)) { $0 + h[$1] * k2[$1][j] } + [0, 0.1][j] }
        let m = z.max()!
        let e = z.map { Float(exp(Double($0 - m))) }
        return e.map { $0 / e.reduce(0, +) }
    }

    static func outputs(_ json: [String: Any]) -> [[Double]] {
        ((json["output"] as? [String: Any])?["data"] as? [[Any]] ?? []).map { $0.compactMap { ($0 as? NSNumber)?.doubleValue } }
    }

    @Test func sequentialWithNormalizationAndDropoutMatchesTheFormulas() throws {
        let harness = try APIHarness()
        let put = harness.call("PUT", "/v1/models/mlp", #"{"model": \#(Self.sequential(Self.mlpLayers)), "weights": \#(Self.mlpWeights)}"#)
        #expect(put.status == 201, "\(put.json)")
        let x: [[Float]] = [[1, 2, 3, 4], [-1, 0.5, 0, 2]]
        let predict = harness.call("POST", "/v1/models/mlp/predict", #"{"input": [[1, 2, 3, 4], [-1, 0.5, 0, 2]]}"#)
        #expect(predict.status == 200, "\(predict.json)")
        let got = Self.outputs(predict.json)
        #expect(got.count == 2)
        for (row, values) in zip(x, got) {
            for (a, b) in zip(values, Self.expectedMLP(row)) { #expect(abs(a - Double(b)) <= 1e-6, "\(a) vs \(b)") }
        }
        let info = harness.call("GET", "/v1/models/mlp")
        let model = info.json["model"] as? [String: Any] ?? info.json
        let summary = (model["summary"] as? String) ?? ""
        #expect(summary.contains("dropout (Dropout)"), "\(info.json)")
        let params = model["params"] as? [String: Any]
        #expect(params?["total"] as? Int == 15 + 12 + 8)
        #expect(params?["non_trainable"] as? Int == 6)
    }

    @Test func aModelWithoutWeightsIsRefusedButCanBeDescribed() throws {
        let harness = try APIHarness()
        let put = harness.call("PUT", "/v1/models/nowts", #"{"model": \#(Self.sequential(Self.mlpLayers))}"#)
        #expect(put.status == 400)
        #expect(put.json["code"] as? String == "invalid_field")
        #expect((put.json["error"] as? String ?? "").hasPrefix("weights:"))
        let describe = harness.call("POST", "/v1/dense", #"{"model": \#(Self.sequential(Self.mlpLayers)), "input_shape": [null, 4]}"#)
        #expect(describe.status == 200, "\(describe.json)")
    }

    @Test func theSavedBatchAxisStaysFree() throws {
        let harness = try APIHarness()
        // fit(batch_size=8) without Input saves build_input_shape [8, 8].
        let layers = [Self.layer("Dense", #""name": "d", "units": 1"#)]
        let body = #"{"model": \#(Self.sequential(layers, buildShape: "[8, 2]")), "weights": [[[1], [2]], [0.5]]}"#
        #expect(harness.call("PUT", "/v1/models/b8", body).status == 201)
        let predict = harness.call("POST", "/v1/models/b8/predict", #"{"input": [[1, 1], [2, 0]]}"#)
        #expect(predict.status == 200, "\(predict.json)")
        #expect(Self.outputs(predict.json) == [[3.5], [2.5]], "\(predict.json)")
    }

    @Test func functionalChainAndNestedSequentialFlatten() throws {
        let harness = try APIHarness()
        func node(_ source: String) -> String {
            #""inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 2], "dtype": "float32", "keras_history": ["\#(source)", 0, 0]}}], "kwargs": {}}]"#
        }
        let functional = """
            {"module": "keras", "class_name": "Functional", "config": {"name": "functional", "layers": [
              {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d2", "units": 1}, "name": "d2", \(node("act"))},
              {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 2], "name": "inp"}, "name": "inp", "inbound_nodes": []},
              {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d1", "units": 2}, "name": "d1", \(node("inp"))},
              {"module": "keras.layers", "class_name": "Activation", "config": {"name": "act", "activation": "relu"}, "name": "act", \(node("d1"))}
            ], "input_layers": [["inp", 0, 0]], "output_layers": [["d2", 0, 0]]}}
            """
        // Weights in the order the chain runs: d1 kernel, bias, then d2's.
        let put = harness.call(
            "PUT", "/v1/models/fn", #"{"model": \#(functional), "weights": [[[1, -1], [1, 1]], [0, 0], [[1], [2]], [0]]}"#)
        #expect(put.status == 201, "\(put.json)")
        let predict = harness.call("POST", "/v1/models/fn/predict", #"{"input": [[1, 2]]}"#)
        #expect(Self.outputs(predict.json) == [[3 + 2]])  // relu([3, 1]) · [1, 2]
        // A branch: d1 feeds two layers.
        let branch = functional.replacingOccurrences(of: #"["act", 0, 0]"#, with: #"["d1", 0, 0]"#)
        let refused = harness.call(
            "PUT", "/v1/models/br", #"{"model": \#(branch), "weights": [[[1, -1], [1, 1]], [0, 0], [[1], [2]], [0]]}"#)
        #expect(refused.status == 422, "\(refused.json)")
        #expect(refused.json["code"] as? String == "unsupported_layer")
        // A Sequential inside a Sequential.
        let inner =
            #"{"module": "keras", "class_name": "Sequential", "config": {"name": "inner", "layers": [\#(Self.layer("Dense", #""name": "a", "units": 2"#)), \#(Self.layer("ReLU", #""name": "re_lu""#))]}}"#
        let nested = Self.sequential([
            Self.layer("InputLayer", #""batch_shape": [null, 2]"#), inner, Self.layer("Dense", #""name": "b", "units": 1"#),
        ])
        let put2 = harness.call(
            "PUT", "/v1/models/nest", #"{"model": \#(nested), "weights": [[[1, -1], [1, 1]], [0, 0], [[1], [2]], [0]]}"#)
        #expect(put2.status == 201, "\(put2.json)")
        #expect(Self.outputs(harness.call("POST", "/v1/models/nest/predict", #"{"input": [[1, 2]]}"#).json) == [[5]])
    }

    @Test func refusedLayersName422AndTheLayer() throws {
        let harness = try APIHarness()
        // (class, layer, its weights after the first Dense's)
        let cases: [(String, String, String)] = [
            (
                "Lambda", Self.layer("Lambda", #""name": "lam", "function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAA"}}"#),
                ""
            ),
            ("Conv1D", Self.layer("Conv1D", #""name": "conv", "filters": 2, "kernel_size": 3"#), ""),
            ("Embedding", Self.layer("Embedding", #""name": "emb", "input_dim": 4, "output_dim": 2"#), ""),
            (
                "MyLayer",
                #"{"module": "my_package", "class_name": "MyLayer", "config": {"name": "mine"}, "registered_name": "Custom>MyLayer"}"#, ""
            ),
            (
                "Dense",
                Self.layer(
                    "Dense",
                    #""name": "q", "units": 2, "dtype": {"module": "keras", "class_name": "QuantizedDTypePolicy", "config": {"name": "int8_from_float32"}}"#
                ),
                ", [[1, 0], [0, 1]], [0, 0]"
            ),
            ("LayerNormalization", Self.layer("LayerNormalization", #""name": "ln", "axis": [1, 2]"#), ", [1, 1], [0, 0]"),
            ("Dense", Self.layer("Dense", #""name": "h", "units": 2, "dtype": "float16""#), ", [[1, 0], [0, 1]], [0, 0]"),
            (
                "BatchNormalization", Self.layer("BatchNormalization", #""name": "bn", "dtype": "mixed_float16""#),
                ", [1, 1], [0, 0], [0, 0], [1, 1]"
            ),
        ]
        for (className, bad, extra) in cases {
            let body =
                #"{"model": \#(Self.sequential([Self.inputLayer, Self.layer("Dense", #""name": "d", "units": 2"#), bad])), "weights": [[[1, 0], [0, 1], [1, 1], [0, 0]], [0, 0]\#(extra)]}"#
            let put = harness.call("PUT", "/v1/models/bad", body)
            #expect(put.status == 422, "\(className): \(put.json)")
            #expect(put.json["code"] as? String == "unsupported_layer", "\(className): \(put.json)")
            let message = put.json["error"] as? String ?? ""
            #expect(message.contains("layers[2]") && message.contains(className), "\(message)")
        }
        #expect(harness.call("GET", "/v2/health/live").status == 200)
    }

    @Test func everyLayerKindSurvivesTheStoreBitForBit() throws {
        let layers = [
            Self.layer("InputLayer", #""batch_shape": [null, 2, 2]"#),
            Self.layer("Flatten", #""name": "flatten""#),
            Self.layer("Dense", #""name": "d", "units": 6, "activation": "tanh""#),
            Self.layer("Reshape", #""name": "reshape", "target_shape": [-1, 3]"#),
            Self.layer("LayerNormalization", #""name": "ln", "epsilon": 0.01"#),
            Self.layer("LeakyReLU", #""name": "leaky""#),
            Self.layer("ELU", #""name": "elu", "alpha": 0.5"#),
            Self.layer("ReLU", #""name": "relu", "max_value": 6, "negative_slope": 0.1, "threshold": 0.2"#),
            Self.layer("GaussianNoise", #""name": "noise", "stddev": 0.1"#),
            Self.layer("Softmax", #""name": "softmax", "axis": -1"#),
        ]
        var kernel: [String] = []
        for row in 0..<4 {
            let values: [String] = (0..<6).map { column in String(Double(row * 6 + column) / 10 - 1) }
            kernel.append("[" + values.joined(separator: ", ") + "]")
        }
        let weights = "[[\(kernel.joined(separator: ", "))], [0, 0.1, 0.2, 0.3, 0.4, 0.5], [1, 2, 3], [0, 0.5, -0.5]]"
        let body = #"{"model": \#(Self.sequential(layers)), "weights": \#(weights)}"#
        let value = try JSONParser.parse(Array(body.utf8))
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        let spec = try ModelDecoder.decode(body: object, limits: DenseLimits.default)
        let model = try spec.materialize(inputDim: 2, limits: DenseLimits.default)
        #expect(model.outputShape(inputShape: [5, 2, 2]) == [5, 2, 3])
        let harness = try APIHarness()
        #expect(harness.call("PUT", "/v1/models/all", body).status == 201)
        let reopened = try APIHarness(directory: harness.directory)
        let a = harness.call("POST", "/v1/models/all/predict", #"{"input": [[[1, 2], [3, 4]]]}"#)
        let b = reopened.call("POST", "/v1/models/all/predict", #"{"input": [[[1, 2], [3, 4]]]}"#)
        #expect(a.status == 200, "\(a.json)")
        let dataA = (a.json["output"] as? [String: Any])?["data"], dataB = (b.json["output"] as? [String: Any])?["data"]
        #expect(dataA.map { "\($0)" } == dataB.map { "\($0)" })
        let rows = (dataA as? [[[NSNumber]]])?.first ?? []
        #expect(rows.count == 2)
        for row in rows { #expect(abs(row.map(\.doubleValue).reduce(0, +) - 1) < 1e-6) }  // softmax rows
        // A reshape fixes the rank: a rank-2 input is refused with the declared shape.
        let wrongRank = harness.call("POST", "/v1/models/all/predict", #"{"input": [[1, 2], [3, 4]]}"#)
        #expect(wrongRank.status == 422)
    }
}

/// A stored model reloads whatever the request string limit: the file keeps each weight array
/// as one base64 string, which outgrows `max_string_bytes` once a kernel passes 48 MiB.
@Test func storedModelsReloadPastTheRequestStringLimit() throws {
    var json = JSONLimits.default
    json.maxStringBytes = 64
    let limits = ServiceLimits(json: json)
    let harness = try APIHarness(limits: limits)
    let row = "[" + (0..<32).map { String(Double($0) / 8) }.joined(separator: ", ") + "]"
    let put = harness.call("PUT", "/v1/models/wide", #"{"layer": {"units": 32, "kernel": [\#(row), \#(row)]}}"#)
    #expect(put.status == 201, "\(put.json)")
    let reopened = try APIHarness(directory: harness.directory, limits: limits)
    #expect(reopened.call("GET", "/v1/models/wide").status == 200)
}

/// Reshapes between Dense layers can grow a sample past `Int` while every layer stays within
/// the parameter limit (units 4096 on a width of 1): the sample's element count is checked,
/// never computed with a trapping multiply. It once crashed the server at PUT.
@Test func reshapesThatGrowASamplePastIntAreRefused() throws {
    let reshape = #"{"class_name": "Reshape", "config": {"target_shape": [-1, 1]}}"#
    let wide = #"{"units": 4096, "seed": 1}"#
    let layers = [#"{"units": 64, "seed": 1}"#] + Array(repeating: [reshape, wide], count: 5).flatMap { $0 } + [reshape, wide]
    let harness = try APIHarness()
    let put = harness.call("PUT", "/v1/models/grow", #"{"layers": [\#(layers.joined(separator: ", "))], "input_shape": [null, 64, 64]}"#)
    #expect(put.status == 422, "\(put.json)")
    #expect(put.json["code"] as? String == "limit_exceeded")
    let describe = harness.call(
        "POST", "/v1/dense", #"{"layers": [\#(layers.joined(separator: ", "))], "input_shape": [null, 64, 64]}"#)
    #expect(describe.status == 422, "\(describe.json)")
}
