import Foundation
import Testing

@testable import InferenceService

/// TF Serving's REST API (https://www.tensorflow.org/tfx/serving/api_rest) on registered
/// models: its documented examples, adapted to Dense models, one test per quirk.
@Suite struct TFServingTests {
    /// The documentation's `half_plus_three` (y = 0.5 x + 3) as a Dense(1) on `[null, 1]`.
    static func halfPlusThree() throws -> APIHarness {
        let harness = try APIHarness()
        let put = harness.call(
            "PUT", "/v1/models/half_plus_three", #"{"layer": {"units": 1, "kernel": [[0.5]], "bias": [3]}, "input_shape": [null, 1]}"#)
        precondition(put.status == 201, "\(put.json)")
        return harness
    }

    /// `Dense(2)` with the identity plus a summed column, on `[null, 3]` (no declared shape).
    static func tiny(_ harness: APIHarness, name: String = "tiny", bias: String = "[0, 0.5]") {
        let put = harness.call(
            "PUT", "/v1/models/\(name)", #"{"layer": {"units": 2, "kernel": [[1, 0], [0, 1], [1, 1]], "bias": \#(bias)}}"#)
        precondition(put.status == 201, "\(put.json)")
    }

    // MARK: the documented examples

    /// `curl -d '{"instances": [1.0,2.0,5.0]}' …/half_plus_three:predict` answers
    /// `{"predictions": [3.5, 4.0, 5.5]}`; a Dense model's instance is a row of its last
    /// dimension, so each instance is a one-element list and so is each prediction.
    @Test func documentedHalfPlusThreeExample() throws {
        let harness = try Self.halfPlusThree()
        let result = harness.call("POST", "/v1/models/half_plus_three:predict", #"{"instances": [[1.0], [2.0], [5.0]]}"#)
        #expect(result.status == 200)
        #expect(String(decoding: result.response.body, as: UTF8.self) == #"{"predictions":[[3.5],[4.0],[5.5]]}"#)
        #expect(result.response.headers.first { $0.name == "Content-Type" }?.value == "application/json")
        // The same through the columnar format, and on a version.
        let columnar = harness.call("POST", "/v1/models/half_plus_three/versions/1:predict", #"{"inputs": [[1.0], [2.0], [5.0]]}"#)
        #expect(String(decoding: columnar.response.body, as: UTF8.self) == #"{"outputs":[[3.5],[4.0],[5.5]]}"#)
    }

    /// The documentation's scalar instances are one value per batch item; a Dense model
    /// needs at least a list of its last dimension, so they are a shape error naming that.
    @Test func scalarInstancesAreAShapeError() throws {
        let harness = try Self.halfPlusThree()
        let result = harness.call("POST", "/v1/models/half_plus_three:predict", #"{"instances": [1.0, 2.0, 5.0]}"#)
        #expect(result.status == 422)
        #expect(result.json["code"] as? String == "shape_mismatch")
        #expect((result.json["error"] as? String)?.contains("instances") == true, "\(result.json)")
    }

    /// "List of 2 tensors each of [1, 2] shape": `[[[1, 2]], [[3, 4]]]` is the input [2, 1, 2].
    @Test func documentedInstancesOfRank2() throws {
        let harness = try APIHarness()
        let put = harness.call(
            "PUT", "/v1/models/pair", #"{"layer": {"units": 1, "kernel": [[1], [10]], "bias": [0]}, "input_shape": [null, 1, 2]}"#)
        #expect(put.status == 201)
        let result = harness.call("POST", "/v1/models/pair:predict", #"{"instances": [ [[1, 2]], [[3, 4]] ]}"#)
        #expect(result.status == 200)
        #expect(result.json["predictions"] as? [[[Double]]] == [[[21]], [[43]]])
    }

    /// Named inputs: each instance an object with the input's name (`input`, as metadata
    /// says), and the columnar object form; the answers equal the unnamed forms.
    @Test func namedInputsInBothFormats() throws {
        let harness = try APIHarness()
        Self.tiny(harness)
        let rows = harness.call("POST", "/v1/models/tiny:predict", #"{"instances": [{"input": [1, 2, 3]}, {"input": [4, 5, 6]}]}"#)
        #expect(rows.status == 200)
        #expect(rows.json["predictions"] as? [[Double]] == [[4, 5.5], [10, 11.5]])
        let columns = harness.call("POST", "/v1/models/tiny:predict", #"{"inputs": {"input": [[1, 2, 3], [4, 5, 6]]}}"#)
        #expect(columns.json["outputs"] as? [[Double]] == [[4, 5.5], [10, 11.5]])
        #expect(Set(rows.json.keys) == ["predictions"] && Set(columns.json.keys) == ["outputs"])
        let plain = harness.call("POST", "/v1/models/tiny:predict", #"{"signature_name": "serving_default", "instances": [[1, 2, 3]]}"#)
        #expect(plain.json["predictions"] as? [[Double]] == [[4, 5.5]])
        let emptySignature = harness.call("POST", "/v1/models/tiny:predict", #"{"signature_name": "", "inputs": [[1, 2, 3]]}"#)
        #expect(emptySignature.json["outputs"] as? [[Double]] == [[4, 5.5]])
    }

    /// `NaN`, `Infinity` and `-Infinity` tokens are numbers in TF Serving's JSON mapping.
    @Test func nonFiniteTokensAreNumbers() throws {
        let harness = try APIHarness()
        Self.tiny(harness)
        let result = harness.call("POST", "/v1/models/tiny:predict", #"{"instances": [[0, 1, Infinity]]}"#)
        #expect(result.status == 200)
        #expect(String(decoding: result.response.body, as: UTF8.self) == #"{"predictions":[[Infinity,Infinity]]}"#)
    }

    // MARK: the same numbers as the native route

    /// Row and columnar answers are bitwise the native predict's (same decoder, same path),
    /// float32 and float64, with and without a version, for a rank-3 declared input.
    @Test(arguments: ["float32", "float64"])
    func rowAndColumnarEqualTheNativePredictBitwise(dtype: String) throws {
        let harness = try APIHarness()
        let put = harness.call(
            "PUT", "/v1/models/m",
            #"{"layers": [{"units": 7, "activation": "gelu", "seed": 3, "dtype": "\#(dtype)"}, {"units": 3, "activation": "softmax", "seed": 4, "dtype": "\#(dtype)"}], "input_shape": [null, 2, 5]}"#
        )
        #expect(put.status == 201)
        var instances: [[[Double]]] = []
        for item in 0..<4 {
            var rows: [[Double]] = []
            for row in 0..<2 {
                let values: [Double] = (0..<5).map { (column: Int) -> Double in
                    let step: Int = (item * 31 + row * 7 + column * 3) % 17
                    return Double(step) / 9 - 0.8
                }
                rows.append(values)
            }
            instances.append(rows)
        }
        let text = "[" + instances.map(Self.nested).joined(separator: ",") + "]"
        let native = harness.call("POST", "/v1/models/m/predict", #"{"input": \#(text)}"#)
        let expected = try #require((native.json["output"] as? [String: Any])?["data"] as? [[[Double]]])
        let bits = Self.bits(expected)
        for (path, body, key) in [
            ("/v1/models/m:predict", #"{"instances": \#(text)}"#, "predictions"),
            ("/v1/models/m/versions/1:predict", #"{"inputs": \#(text)}"#, "outputs"),
            (
                "/v1/models/m:predict",
                #"{"instances": [\#(instances.map { #"{"input": \#(Self.nested($0))}"# }.joined(separator: ","))]}"#, "predictions"
            ),
            ("/v1/models/m:predict", #"{"inputs": {"input": \#(text)}}"#, "outputs"),
        ] {
            let result = harness.call("POST", path, body)
            #expect(result.status == 200, "\(path) \(result.json)")
            let got = try #require(result.json[key] as? [[[Double]]], "\(path) \(body)")
            #expect(Self.bits(got) == bits, "\(path) \(body)")
        }
    }

    static func bits(_ values: [[[Double]]]) -> [[[UInt64]]] {
        values.map { item in item.map { row in row.map { (value: Double) -> UInt64 in value.bitPattern } } }
    }

    static func nested(_ rows: [[Double]]) -> String {
        "[" + rows.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]" }.joined(separator: ",") + "]"
    }

    // MARK: errors

    /// Every mistake is a JSON `{"error", "code"}` with the status of our one error table.
    @Test(arguments: [
        ("POST", "/v1/models/tiny:predict", "{\"instances\": [[1, 2, 3]", 400, "malformed_json"),
        ("POST", "/v1/models/tiny:predict", "", 400, "malformed_json"),
        ("POST", "/v1/models/tiny:predict", #"[[1, 2, 3]]"#, 400, "invalid_request"),
        ("POST", "/v1/models/tiny:predict", #"{"instances": [[1, 2, 3]], "inputs": [[1, 2, 3]]}"#, 400, "invalid_request"),
        ("POST", "/v1/models/tiny:predict", #"{"signature_name": "serving_default"}"#, 400, "invalid_request"),
        ("POST", "/v1/models/tiny:predict", #"{"instances": []}"#, 400, "invalid_request"),
        ("POST", "/v1/models/tiny:predict", #"{"instances": {"input": [1, 2, 3]}}"#, 400, "invalid_request"),
        ("POST", "/v1/models/tiny:predict", #"{"instances": [[1, 2, 3]], "input": [1]}"#, 400, "invalid_request"),
        ("POST", "/v1/models/tiny:predict", #"{"instances": [[1, 2, 3], [4, 5]]}"#, 422, "ragged_tensor"),
        ("POST", "/v1/models/tiny:predict", #"{"instances": [[[1, 2, 3]], [4, 5, 6]]}"#, 422, "ragged_tensor"),
        ("POST", "/v1/models/tiny:predict", #"{"inputs": [[1, 2, 3], [4, 5]]}"#, 422, "ragged_tensor"),
        ("POST", "/v1/models/tiny:predict", #"{"instances": [[1, 2], [3, 4]]}"#, 422, "shape_mismatch"),
        ("POST", "/v1/models/tiny:predict", #"{"inputs": [[1, 2, 3, 4]]}"#, 422, "shape_mismatch"),
        ("POST", "/v1/models/tiny:predict", #"{"inputs": 5}"#, 422, "shape_mismatch"),
        ("POST", "/v1/models/tiny:predict", #"{"instances": [{"input": [1, 2, 3]}, [4, 5, 6]]}"#, 400, "invalid_request"),
        ("POST", "/v1/models/tiny:predict", #"{"instances": [[1, 2, 3], {"input": [4, 5, 6]}]}"#, 400, "invalid_request"),
        ("POST", "/v1/models/tiny:predict", #"{"instances": [{"x": [1, 2, 3]}]}"#, 400, "invalid_request"),
        ("POST", "/v1/models/tiny:predict", #"{"instances": [{}]}"#, 400, "invalid_request"),
        ("POST", "/v1/models/tiny:predict", #"{"inputs": {"input": [[1, 2, 3]], "other": [1]}}"#, 400, "invalid_request"),
        ("POST", "/v1/models/tiny:predict", #"{"inputs": {"b64": "AACAPw=="}}"#, 400, "invalid_request"),
        ("POST", "/v1/models/tiny:predict", #"{"instances": [{"b64": "AACAPw=="}]}"#, 400, "invalid_request"),
        ("POST", "/v1/models/tiny:predict", #"{"instances": [{"input": {"b64": "AACAPw=="}}]}"#, 400, "invalid_request"),
        ("POST", "/v1/models/tiny:predict", #"{"instances": [["a", "b", "c"]]}"#, 400, "invalid_request"),
        ("POST", "/v1/models/tiny:predict", #"{"signature_name": "predict", "instances": [[1, 2, 3]]}"#, 400, "invalid_request"),
        ("POST", "/v1/models/tiny:predict", #"{"signature_name": 1, "instances": [[1, 2, 3]]}"#, 400, "invalid_request"),
        ("POST", "/v1/models/half:predict", #"{"instances": [[1.0], [5.0]]}"#, 404, "model_not_found"),
        ("POST", "/v1/models/tiny/versions/2:predict", #"{"instances": [[1, 2, 3]]}"#, 404, "model_not_found"),
        ("POST", "/v1/models/tiny/versions/0:predict", #"{"instances": [[1, 2, 3]]}"#, 400, "invalid_request"),
        ("POST", "/v1/models/tiny/versions/x:predict", #"{"instances": [[1, 2, 3]]}"#, 400, "invalid_request"),
        ("POST", "/v1/models/:predict", #"{"instances": [[1, 2, 3]]}"#, 400, "invalid_model_name"),
        ("POST", "/v1/models/tiny:predict:predict", #"{"instances": [[1, 2, 3]]}"#, 400, "invalid_model_name"),
        ("POST", "/v1/models/tiny:classify", #"{"examples": []}"#, 400, "invalid_model_name"),
        ("POST", "/v1/models/tiny:predictx", #"{"instances": [[1, 2, 3]]}"#, 400, "invalid_model_name"),
        ("GET", "/v1/models/tiny:predict", "", 405, "method_not_allowed"),
        ("POST", "/v1/models/tiny/metadata", "", 405, "method_not_allowed"),
        ("GET", "/v1/models/nope/metadata", "", 404, "model_not_found"),
        ("GET", "/v1/models/tiny/versions/9/metadata", "", 404, "model_not_found"),
    ])
    func mistakes(method: String, path: String, body: String, status: Int, code: String) throws {
        let harness = try APIHarness()
        Self.tiny(harness)
        let result = harness.call(method, path, body)
        #expect(result.status == status, "\(path) \(body): \(result.json)")
        #expect(result.json["code"] as? String == code, "\(path) \(body): \(result.json)")
        #expect((result.json["error"] as? String)?.isEmpty == false)
        if status == 405 { #expect(result.response.headers.contains { $0.name == "Allow" }) }
    }

    /// The messages name what is wrong where (the field, the signature, the instance).
    @Test func messagesNameTheField() throws {
        let harness = try APIHarness()
        Self.tiny(harness)
        for (body, fragment) in [
            (#"{"signature_name": "predict", "instances": [[1, 2, 3]]}"#, "serving_default"),
            (#"{"instances": [[1, 2, 3], {"input": [4, 5, 6]}]}"#, "instances[1]"),
            (#"{"instances": [{"input": [1, 2, 3]}, {"x": [4, 5, 6]}]}"#, "instances[1].x"),
            (#"{"instances": [[1, 2, 3], [4, 5]]}"#, "instances"),
            (#"{"instances": [{"b64": "AACAPw=="}]}"#, "DT_STRING"),
        ] {
            let result = harness.call("POST", "/v1/models/tiny:predict", body)
            #expect((result.json["error"] as? String)?.contains(fragment) == true, "\(body): \(result.json)")
        }
    }

    /// The model-name rule holds in `{name}:predict` as in every route: the name is what
    /// precedes `:predict`, checked the same way.
    @Test func theNameRuleIsNotWeakened() throws {
        let harness = try APIHarness()
        for path in [
            "/v1/models/..:predict", "/v1/models/a%2Fb:predict", "/v1/models/-a:predict",
            "/v1/models/\(String(repeating: "a", count: 65)):predict",
        ] {
            let result = harness.call("POST", path, #"{"instances": [[1]]}"#)
            #expect(result.status == 400 && result.json["code"] as? String == "invalid_model_name", "\(path): \(result.json)")
        }
        #expect(InferenceAPI.routeTemplate("/v1/models/m:predict") == "/v1/models/{name}:predict")
        #expect(InferenceAPI.routeTemplate("/v1/models/m/versions/3:predict") == "/v1/models/{name}/versions/{version}:predict")
        #expect(InferenceAPI.routeTemplate("/v1/models/m") == "/v1/models/{name}")
        #expect(InferenceAPI.routeTemplate("/v1/models/m/metadata") == "/v1/models/{name}/metadata")
    }

    // MARK: metadata

    /// `GET …/metadata` is TF Serving's GetModelMetadataResponse: model_spec, and the
    /// serving_default signature with dtypes and dims (strings, -1 for the batch axis).
    @Test func metadataIsTFServingsSignatureDef() throws {
        let harness = try APIHarness()
        let put = harness.call(
            "PUT", "/v1/models/m",
            #"{"layers": [{"units": 4, "seed": 1}, {"units": 3, "seed": 2, "dtype": "float64"}], "input_shape": [null, 20, 5]}"#
        )
        #expect(put.status == 201)
        #expect(harness.call("PUT", "/v1/models/m", #"{"layer": {"units": 2, "seed": 1}, "input_shape": [null, 5]}"#).status == 201)
        let latest = harness.call("GET", "/v1/models/m/metadata")
        #expect(latest.status == 200)
        #expect(latest.json["model_spec"] as? [String: String] == ["name": "m", "signature_name": "", "version": "2"])
        let first = harness.call("GET", "/v1/models/m/versions/1/metadata")
        #expect((first.json["model_spec"] as? [String: String])?["version"] == "1")
        let signature = try #require(
            (((first.json["metadata"] as? [String: Any])?["signature_def"] as? [String: Any])?["signature_def"] as? [String: Any])?[
                "serving_default"] as? [String: Any])
        #expect(signature["method_name"] as? String == "tensorflow/serving/predict")
        func tensor(_ side: String, _ name: String) throws -> (dtype: String?, sizes: [String], unknownRank: Bool?) {
            let info = try #require((signature[side] as? [String: Any])?[name] as? [String: Any], "\(side).\(name)")
            let shape = try #require(info["tensor_shape"] as? [String: Any])
            let dims = try #require(shape["dim"] as? [[String: Any]])
            return (info["dtype"] as? String, dims.compactMap { $0["size"] as? String }, shape["unknown_rank"] as? Bool)
        }
        let input = try tensor("inputs", "input")
        #expect(input.dtype == "DT_FLOAT" && input.sizes == ["-1", "20", "5"] && input.unknownRank == false)
        let output = try tensor("outputs", "output")
        #expect(output.dtype == "DT_DOUBLE" && output.sizes == ["-1", "20", "3"])
        // Without a declared input shape: [-1, in], as V2 metadata reports.
        Self.tiny(harness, name: "plain")
        let plain = harness.call("GET", "/v1/models/plain/metadata")
        #expect(String(decoding: plain.response.body, as: UTF8.self).contains(#""dim":[{"size":"-1","name":""},{"size":"3","name":""}]"#))
    }
}
