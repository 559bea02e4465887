import Foundation
import HTTPCore
import TensorJSON
import Testing

@testable import InferenceService

let seedLayer = #"{"name": "dense", "units": 10, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": 1}}}"#

/// Each client mistake maps to its documented status and stable code, never a 500.
@Suite struct ErrorMappingTests {
    static let cases: [(String, String, String, Int, String)] = [
        ("malformed JSON", "/v1/dense", #"{"layer": {"units": 3}, "input": [1, 2"#, 400, "malformed_json"),
        ("not an object", "/v1/dense", #"[1, 2, 3]"#, 400, "invalid_request"),
        ("units wrong type", "/v1/dense", #"{"layer": {"units": "ten"}, "input": [1, 2]}"#, 400, "invalid_request"),
        ("units fractional", "/v1/dense", #"{"layer": {"units": 2.5}, "input": [1, 2]}"#, 400, "invalid_request"),
        ("units zero", "/v1/dense", #"{"layer": {"units": 0}, "input": [1, 2]}"#, 400, "invalid_field"),
        ("units 2^31", "/v1/dense", #"{"layer": {"units": 2147483648}, "input": [1, 2]}"#, 422, "limit_exceeded"),
        ("missing units", "/v1/dense", #"{"layer": {"activation": "relu"}, "input": [1, 2]}"#, 400, "invalid_request"),
        ("unknown field", "/v1/dense", #"{"layer": {"unit": 3}, "input": [1, 2]}"#, 400, "invalid_request"),
        ("no model", "/v1/dense", #"{"input": [1, 2]}"#, 400, "invalid_request"),
        ("no input", "/v1/dense", #"{"layer": {"units": 3}}"#, 400, "invalid_request"),
        ("ragged", "/v1/dense", #"{"layer": {"units": 3}, "input": [[1, 2], [3]]}"#, 422, "ragged_tensor"),
        ("ragged deep", "/v1/dense", #"{"layer": {"units": 3}, "input": [[[1, 2]], [3, 4]]}"#, 422, "ragged_tensor"),
        ("non-numeric", "/v1/dense", #"{"layer": {"units": 3}, "input": [[1, "a"]]}"#, 400, "invalid_request"),
        ("empty input", "/v1/dense", #"{"layer": {"units": 3}, "input": []}"#, 422, "empty_dimension"),
        ("empty inner", "/v1/dense", #"{"layer": {"units": 3}, "input": [[]]}"#, 422, "empty_dimension"),
        (
            "input vs kernel", "/v1/dense", #"{"layer": {"units": 2, "kernel": [[1, 2], [3, 4]]}, "input": [1, 2, 3]}"#, 422,
            "shape_mismatch"
        ),
        ("kernel vs units", "/v1/dense", #"{"layer": {"units": 3, "kernel": [[1, 2], [3, 4]]}, "input": [1, 2]}"#, 422, "shape_mismatch"),
        (
            "bias length", "/v1/dense", #"{"layer": {"units": 2, "kernel": [[1, 2], [3, 4]], "bias": [1]}, "input": [1, 2]}"#, 422,
            "shape_mismatch"
        ),
        (
            "layer chain", "/v1/dense", #"{"layers": [{"units": 2}, {"units": 2, "kernel": [[1, 2], [3, 4], [5, 6]]}], "input": [1, 2]}"#,
            422, "shape_mismatch"
        ),
        (
            "shape vs data", "/v1/dense", #"{"layer": {"units": 2}, "input": {"shape": [2, 3], "data": [1, 2, 3, 4, 5]}}"#, 422,
            "shape_mismatch"
        ),
        ("negative dim", "/v1/dense", #"{"layer": {"units": 2}, "input": {"shape": [-1, 3], "data": [1, 2, 3]}}"#, 422, "empty_dimension"),
        (
            "overflowing shape", "/v1/dense", #"{"layer": {"units": 2}, "input": {"shape": [4611686018427387904, 4], "data": [1]}}"#, 422,
            "limit_exceeded"
        ),
        (
            "b64 wrong length", "/v1/dense", #"{"layer": {"units": 2}, "input": {"shape": [1, 2], "dtype": "float32", "b64": "AAAA"}}"#,
            422, "shape_mismatch"
        ),
        ("b64 invalid", "/v1/dense", #"{"layer": {"units": 2}, "input": {"shape": [1, 2], "b64": "!!!"}}"#, 400, "invalid_request"),
        (
            "bad dtype", "/v1/dense", #"{"layer": {"units": 2}, "input": {"shape": [2], "dtype": "complex64", "data": [1, 2]}}"#, 400,
            "invalid_request"
        ),
        (
            "int not integral", "/v1/dense", #"{"layer": {"units": 2}, "input": {"shape": [2], "dtype": "int32", "data": [1, 2.5]}}"#, 422,
            "invalid_value"
        ),
        ("unknown activation", "/v1/dense", #"{"layer": {"units": 2, "activation": "relu7"}, "input": [1, 2]}"#, 422, "unknown_activation"),
        ("threshold", "/v1/dense", #"{"layer": {"units": 2, "activation": "threshold"}, "input": [1, 2]}"#, 422, "unsupported_activation"),
        ("glu odd", "/v1/dense", #"{"layer": {"units": 3, "activation": "glu"}, "input": [1, 2]}"#, 422, "invalid_value"),
        (
            "unknown initializer", "/v1/dense", #"{"layer": {"units": 2, "kernel_initializer": "magic"}, "input": [1, 2]}"#, 422,
            "unknown_initializer"
        ),
        ("duplicate key", "/v1/dense", #"{"layer": {"units": 2, "units": 3}, "input": [1, 2]}"#, 400, "duplicate_key"),
        ("too deep", "/v1/dense", String(repeating: "[", count: 100_000), 400, "nesting_too_deep"),
        (
            "rank limit", "/v1/dense",
            #"{"layer": {"units": 2}, "input": "# + String(repeating: "[", count: 40) + "1" + String(repeating: "]", count: 40) + "}", 422,
            "limit_exceeded"
        ),
        (
            "duplicate layer names", "/v1/dense", #"{"layers": [{"name": "a", "units": 2}, {"name": "a", "units": 2}], "input": [1, 2]}"#,
            400, "invalid_request"
        ),
        ("unknown route", "/v1/nothing", "", 404, "route_not_found"),
        ("unknown model", "/v1/models/nope/predict", #"{"input": [1]}"#, 404, "model_not_found"),
        ("bad model name", "/v1/models/..%2F..%2Fetc/predict", #"{"input": [1]}"#, 400, "invalid_model_name"),
    ]

    @Test(arguments: cases.indices)
    func clientMistakeGetsItsStatusAndCode(index: Int) throws {
        let (label, path, body, status, code) = Self.cases[index]
        let harness = try APIHarness()
        let result = harness.call("POST", path, body)
        #expect(result.status == status, "\(label): \(result.json)")
        #expect(result.json["code"] as? String == code, "\(label): \(result.json)")
        #expect((result.json["error"] as? String)?.isEmpty == false, "\(label)")
    }

    @Test func wrongMethodGets405WithAllow() throws {
        let harness = try APIHarness()
        let result = harness.call("GET", "/v1/dense")
        #expect(result.status == 405)
        #expect(result.response.headers.contains { $0.name == "Allow" && $0.value == "POST" })
    }

    /// The body says what it is: every `/v1` route reads JSON whatever `Content-Type` says
    /// (curl `-d` and Python's urllib send a form type, `curl -T` none). Before, 415.
    @Test(arguments: [nil, "application/json", "application/x-www-form-urlencoded", "text/plain", "application/octet-stream"])
    func anyContentTypeIsReadAsJSON(type: String?) throws {
        let harness = try APIHarness()
        let headers = type.map { [(name: "Content-Type", value: $0)] } ?? []
        let put = harness.call(
            "PUT", "/v1/models/m", #"{"layer": {"units": 2, "kernel": [[1, 0], [0, 1]], "bias": [0, 1]}}"#, headers: headers)
        #expect(put.status == 201, "\(type ?? "none"): \(put.json)")
        for (path, body) in [
            ("/v1/dense", #"{"layer": {"units": 2, "kernel": [[1, 0], [0, 1]], "bias": [0, 1]}, "input": [[1, 2]]}"#),
            ("/v1/models/m/predict", #"{"input": [[1, 2]]}"#),
            ("/v1/models/m/versions/1/predict", #"{"input": [[1, 2]]}"#),
            ("/v1/models/m:predict", #"{"instances": [[1, 2]]}"#),
        ] {
            let result = harness.call("POST", path, body, headers: headers)
            #expect(result.status == 200, "\(path) with \(type ?? "no Content-Type"): \(result.json)")
        }
        // A body that is not JSON is a JSON error, not a media-type one.
        let form = harness.call("POST", "/v1/models/m/predict", "input=1", headers: headers)
        #expect(form.status == 400 && form.json["code"] as? String == "malformed_json", "\(form.json)")
    }

    /// A model file PUT is recognised by its first bytes (whatever `Content-Type` says) and read
    /// as a model file: 40 zero bytes after the magic are a broken zip or HDF5 file, a 400
    /// naming the file's fault. The store is untouched.
    @Test func aModelFilePutIsReadByItsMagicBytes() throws {
        let harness = try APIHarness()
        let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0, count: 40)
        let hdf5: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 40)
        for (bytes, type) in [(zip, "application/json"), (hdf5, "application/octet-stream"), (zip, "application/zip")] {
            let result = harness.call("PUT", "/v1/models/m", bytes: bytes, headers: [("Content-Type", type)])
            #expect(result.status == 400 && result.json["code"] as? String == "invalid_model_file", "\(result.json)")
        }
        #expect(harness.call("GET", "/v1/models/m").status == 404)
        #expect(!KerasModelImport.isModelFile(Array("{}".utf8)[...]) && !KerasModelImport.isModelFile([0x50, 0x4B][...]))
    }

    /// A JSON size limit is a 413 naming the limit, its value and its setting (the
    /// configuration's names; without them, the `JSONLimits` property).
    @Test func jsonLimitsAre413NamingTheirSetting() throws {
        let small = ServiceLimits(json: JSONLimits(maxElements: 50, maxObjectKeys: 3))
        let harness = try APIHarness(limits: small)
        let values = harness.call(
            "POST", "/v1/dense", #"{"layer": {"units": 2}, "input": [\#((0..<100).map(String.init).joined(separator: ","))]}"#)
        #expect(values.status == 413 && values.json["code"] as? String == "too_large")
        #expect(values.json["limit"] as? String == "maxElements" && values.json["limit_value"] as? Int == 50, "\(values.json)")
        var configuration = harness.api.configuration
        configuration.jsonLimitSettings = [
            .maxObjectKeys: LimitSetting(name: "max_json_object_keys", howToRaise: "DENSE_MAX_JSON_OBJECT_KEYS")
        ]
        let api = InferenceAPI(configuration: configuration, store: harness.api.store, pool: harness.api.pool, logger: harness.api.logger)
        let response = api.fail(.json(.tooLarge(offset: 9, limit: .maxObjectKeys, message: "object has more than 3 keys")))
        let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(response.status == 413 && body["limit"] as? String == "max_json_object_keys" && body["limit_value"] as? Int == 3)
        #expect((body["error"] as? String)?.contains("raise it with DENSE_MAX_JSON_OBJECT_KEYS") == true, "\(body)")
    }

    @Test func flopLimitIsEnforced() throws {
        let harness = try APIHarness(limits: ServiceLimits(dense: .init(maxFLOPs: 1000)))
        let result = harness.call(
            "POST", "/v1/dense",
            #"{"layer": {"units": 100}, "input": {"shape": [10, 10], "data": [\#((0..<100).map(String.init).joined(separator: ","))]}}"#)
        #expect(result.status == 422)
        #expect(result.json["code"] as? String == "limit_exceeded")
    }

    @Test func overloadAnswers503WithRetryAfter() throws {
        let harness = try APIHarness(workers: 1, queueDepth: 0)
        // Occupy the only slot with a job that waits.
        let gate = DispatchSemaphore(value: 0)
        #expect(
            harness.api.pool.submit { completion in
                gate.wait(); completion.done()
            })
        let result = harness.call("POST", "/v1/dense", #"{"layer": {"units": 2}, "input": [1, 2]}"#)
        gate.signal()
        #expect(result.status == 503)
        #expect(result.json["code"] as? String == "overloaded")
        #expect(result.response.headers.contains { $0.name == "Retry-After" })
    }
}

@Suite struct OneShotTests {
    @Test func seedExampleShapesParamsAndSummary() throws {
        let harness = try APIHarness()
        let input = (0..<3).map { _ in "[" + (0..<20).map { _ in "[0.1, 0.2, 0.3, 0.4, 0.5]" }.joined(separator: ",") + "]" }.joined(
            separator: ",")
        let result = harness.call("POST", "/v1/dense", #"{"layer": \#(seedLayer), "input": [\#(input)]}"#)
        #expect(result.status == 200)
        let output = result.json["output"] as! [String: Any]
        #expect(output["shape"] as! [Int] == [3, 20, 10])
        let model = result.json["model"] as! [String: Any]
        #expect((model["params"] as! [String: Any])["total"] as! Int == 60)
        #expect(model["output_shape"] as! [Any?] as NSArray == [NSNull(), 20, 10] as NSArray)
        #expect((model["summary"] as! String).contains("(None, 20, 10)"))
        let timing = result.json["timing_ms"] as! [String: Any]
        #expect(timing["compute"] != nil && timing["queue"] != nil)
    }

    @Test func shapesOnlyComputesNothing() throws {
        let harness = try APIHarness()
        let result = harness.call("POST", "/v1/dense", #"{"layer": {"units": 10, "use_bias": false}, "input_shape": [null, 20, 5]}"#)
        #expect(result.status == 200)
        #expect(result.json["output"] == nil)
        let model = result.json["model"] as! [String: Any]
        #expect((model["params"] as! [String: Any])["total"] as! Int == 50)
    }

    @Test func outputComesBackInTheInputForm() throws {
        let harness = try APIHarness()
        let layer = #"{"units": 2, "kernel": [[1, 0], [0, 1]], "bias": [0.5, -0.5]}"#
        let flat = harness.call("POST", "/v1/dense", #"{"layer": \#(layer), "input": {"shape": [2, 2], "data": [1, 2, 3, 4]}}"#)
        #expect((flat.json["output"] as! [String: Any])["data"] as! [Double] == [1.5, 1.5, 3.5, 3.5])
        // float32 little-endian of [1, 2]: 0000803F 00000040
        let b64 = harness.call(
            "POST", "/v1/dense", #"{"layer": \#(layer), "input": {"shape": [1, 2], "dtype": "float32", "b64": "AACAPwAAAEA="}}"#)
        let output = b64.json["output"] as! [String: Any]
        let bytes = Data(base64Encoded: output["b64"] as! String)!
        let values = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(values == [1.5, 1.5])
        let nested = harness.call("POST", "/v1/dense", #"{"layer": \#(layer), "input": [[1, 2]], "output_format": "flat"}"#)
        #expect((nested.json["output"] as! [String: Any])["data"] as! [Double] == [1.5, 1.5])
    }

    @Test func nonFiniteNumbersRoundTrip() throws {
        let harness = try APIHarness()
        let result = harness.call(
            "POST", "/v1/dense", #"{"layer": {"units": 1, "kernel": [[1]], "bias": [0]}, "input": [[NaN], [Infinity], [-Infinity]]}"#)
        #expect(result.status == 200)
        let text = String(decoding: result.response.body, as: UTF8.self)
        #expect(text.contains("[[NaN],[Infinity],[-Infinity]]"))
    }

    @Test func largeRequestsSplitOverWorkersGiveTheSameNumbers() throws {
        let harness = try APIHarness(workers: 2)
        let rows = 37
        let data = (0..<(rows * 8)).map { String(Double($0 % 11) * 0.25 - 1) }.joined(separator: ",")
        let body =
            #"{"layers": [{"units": 16, "activation": "gelu", "seed": 3}, {"units": 4, "activation": "softmax", "seed": 4}], "input": {"shape": [\#(rows), 8], "data": [\#(data)]}}"#
        let split = harness.call("POST", "/v1/dense", body)
        let inline = try DenseService.respond(toOneShot: Array(body.utf8), limits: ServiceLimits()).get()
        let inlineJSON = try JSONSerialization.jsonObject(with: Data(inline)) as! [String: Any]
        #expect(
            (split.json["output"] as! [String: Any])["data"] as! [Double] == (inlineJSON["output"] as! [String: Any])["data"] as! [Double])
    }
}

/// Found by schemathesis: `weights` where nothing reads it was silently ignored.
@Suite struct MisplacedWeightsTests {
    @Test func topLevelWeightsWithLayersIsRejected() throws {
        let harness = try APIHarness()
        let result = harness.call("POST", "/v1/dense", #"{"layers": [{"units": 2}], "weights": {}, "input": [1, 2]}"#)
        #expect(result.status == 400)
        #expect(result.json["code"] as? String == "invalid_request")
    }

    @Test func weightsInsideANativeLayerAreUsedOrRejected() throws {
        let harness = try APIHarness()
        let bad = harness.call("POST", "/v1/dense", #"{"layer": {"units": 2, "weights": {}}, "input": [1, 2]}"#)
        #expect(bad.status == 400)
        let good = harness.call(
            "POST", "/v1/dense",
            #"{"layer": {"units": 2, "weights": [[[1, 0], [0, 1]], [0.5, 0.5]]}, "input": [1, 2], "output_format": "flat"}"#)
        #expect(good.status == 200)
        #expect((good.json["output"] as? [String: Any])?["data"] as? [Double] == [1.5, 2.5])
    }
}
