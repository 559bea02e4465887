import Foundation
import TestSupport
import Testing

@testable import InferenceService

/// `y = x·[[1, 0], [0, 1], [1, 1]] + [0, 0.5]` on any input with last dimension 3.
let v2Model = #"{"layers": [{"units": 2, "kernel": [[1, 0], [0, 1], [1, 1]], "bias": [0, 0.5]}]}"#

func v2Harness(batching: BatchingPolicy = .default) throws -> APIHarness {
    let harness = try APIHarness(batching: batching)
    let put = harness.call("PUT", "/v1/models/m", v2Model)
    precondition(put.status == 201, "\(put.json)")
    return harness
}

/// The expected output of ``v2Model`` for row-major rows of 3.
func v2Expected(_ values: [Double]) -> [Double] {
    var out: [Double] = []
    for i in stride(from: 0, to: values.count, by: 3) {
        out.append(values[i] + values[i + 2])
        out.append(values[i + 1] + values[i + 2] + 0.5)
    }
    return out
}

/// Little-endian bytes of `values` as a V2 datatype.
func v2Bytes(_ values: [Double], _ datatype: String) -> [UInt8] {
    var out: [UInt8] = []
    func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { out += $0 } }
    for value in values {
        switch datatype {
        case "FP32": append(Float(value).bitPattern)
        case "FP64": append(value.bitPattern)
        case "FP16": append(Float16(value).bitPattern)
        case "BF16": append(UInt16(Float(value).bitPattern >> 16))  // values here are exact in bfloat16
        case "INT8": append(Int8(value))
        case "INT16": append(Int16(value))
        case "INT32": append(Int32(value))
        case "INT64": append(Int64(value))
        case "UINT8": append(UInt8(value))
        case "UINT16": append(UInt16(value))
        case "UINT32": append(UInt32(value))
        case "UINT64": append(UInt64(value))
        case "BOOL": append(UInt8(value))
        default: fatalError(datatype)
        }
    }
    return out
}

/// A binary V2 body: the JSON header then `binary`, with its header field.
func v2Binary(_ json: String, _ binary: [UInt8]) -> (bytes: [UInt8], headers: [(name: String, value: String)]) {
    (Array(json.utf8) + binary, [("Inference-Header-Content-Length", String(json.utf8.count))])
}

func floats32(_ bytes: ArraySlice<UInt8>) -> [Double] {
    stride(from: bytes.startIndex, to: bytes.endIndex, by: 4).map { i in
        Double(Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24))
    }
}

@Suite struct V2MetadataTests {
    @Test func serverMetadataListsTheBinaryExtension() throws {
        let harness = try APIHarness()
        let result = harness.call("GET", "/v2")
        #expect(result.status == 200)
        #expect(result.json["name"] as? String == "DenseServe")
        #expect(result.json["version"] as? String == "test")
        #expect((result.json["extensions"] as? [String])?.contains("binary_tensor_data") == true)
    }

    @Test func modelMetadataHasMinusOneForTheBatchAxis() throws {
        let harness = try APIHarness()
        #expect(
            harness.call("PUT", "/v1/models/seedlike", #"{"layer": {"units": 10, "seed": 1}, "input_shape": [null, 20, 5]}"#).status == 201)
        #expect(
            harness.call(
                "PUT", "/v1/models/seedlike", #"{"layer": {"units": 10, "seed": 2, "dtype": "float64"}, "input_shape": [null, 20, 5]}"#
            ).status == 201)
        for path in ["/v2/models/seedlike/versions/1", "/v2/models/seedlike/versions/2", "/v2/models/seedlike"] {
            let result = harness.call("GET", path)
            #expect(result.status == 200)
            #expect(result.json["name"] as? String == "seedlike")
            #expect(result.json["versions"] as? [String] == ["1", "2"])
            #expect(result.json["platform"] as? String == "keras_dense")
            let input = (result.json["inputs"] as! [[String: Any]])[0]
            let output = (result.json["outputs"] as! [[String: Any]])[0]
            #expect(input["name"] as? String == "input")
            #expect(input["shape"] as? [Int] == [-1, 20, 5])
            #expect(output["name"] as? String == "output")
            #expect(output["shape"] as? [Int] == [-1, 20, 10])
            #expect(output["datatype"] as? String == (path.hasSuffix("/1") ? "FP32" : "FP64"))
        }
    }

    @Test func configIsEnoughForPerfAnalyzer() throws {
        let harness = try APIHarness(batching: BatchingPolicy(enabled: true, maxBatchRows: 100, maxQueueDelayMicroseconds: 70))
        #expect(harness.call("PUT", "/v1/models/r3", #"{"layer": {"units": 10, "seed": 1}, "input_shape": [null, 20, 5]}"#).status == 201)
        let result = harness.call("GET", "/v2/models/r3/config")
        #expect(result.status == 200)
        #expect(result.json["name"] as? String == "r3")
        #expect(result.json["max_batch_size"] as? Int == 5)  // 100 rows / 20 rows per item
        let input = (result.json["input"] as! [[String: Any]])[0]
        #expect(input["data_type"] as? String == "TYPE_FP32")
        #expect(input["dims"] as? [Int] == [20, 5])
        let output = (result.json["output"] as! [[String: Any]])[0]
        #expect(output["dims"] as? [Int] == [20, 10])
        #expect((result.json["dynamic_batching"] as? [String: Any])?["max_queue_delay_microseconds"] as? Int == 70)
        #expect(harness.call("GET", "/v2/models/r3/versions/1/config").status == 200)
    }

    @Test func readinessOfModelsAndServer() throws {
        let harness = try v2Harness()
        let ready = harness.call("GET", "/v2/models/m/ready")
        #expect(ready.status == 200)
        #expect(ready.json["ready"] as? Bool == true)
        #expect(harness.call("GET", "/v2/models/m/versions/1/ready").status == 200)
        #expect(harness.call("GET", "/v2/models/m/versions/2/ready").status == 404)
        harness.api.setReady(false)
        let draining = harness.call("GET", "/v2/models/m/ready")
        #expect(draining.status == 503)
        #expect(draining.json["ready"] as? Bool == false)
        #expect(harness.call("GET", "/v2/health/ready").status == 503)
        #expect(harness.call("GET", "/v2/health/live").status == 200)
    }

    /// `retry_after_s` is what every 503 of the API carries: server and model readiness as
    /// well as overload.
    @Test func notReadyAnswersCarryTheConfiguredRetryAfter() throws {
        let harness = try APIHarness(retryAfterSeconds: 7)
        #expect(harness.call("PUT", "/v1/models/m", v2Model).status == 201)
        harness.api.setReady(false)
        for path in ["/v2/health/ready", "/v2/models/m/ready"] {
            let answer = harness.call("GET", path)
            #expect(answer.status == 503, "\(path)")
            #expect(answer.response.headers.first { $0.name == "Retry-After" }?.value == "7", "\(path)")
        }
    }

    @Test(arguments: [
        ("GET", "/v2/models/nope"), ("GET", "/v2/models/nope/ready"), ("GET", "/v2/models/nope/config"),
        ("POST", "/v2/models/nope/infer"), ("POST", "/v2/models/m/versions/9/infer"), ("GET", "/v2/models/m/versions/9"),
    ])
    func unknownModelOrVersionIs404(method: String, path: String) throws {
        let harness = try v2Harness()
        let result = harness.call(method, path, #"{"inputs": []}"#)
        #expect(result.status == 404)
        #expect(result.json["code"] as? String == "model_not_found")
    }

    @Test func routeMistakes() throws {
        let harness = try v2Harness()
        #expect(harness.call("GET", "/v2/models/m/infer").status == 405)
        #expect(harness.call("POST", "/v2/models/m").status == 405)
        #expect(harness.call("GET", "/v2/models/m/versions/x").json["code"] as? String == "invalid_request")
        #expect(harness.call("GET", "/v2/models/m/other").status == 404)
        #expect(harness.call("GET", "/v2/models/m/versions/1/ready/x").status == 404)
        #expect(harness.call("GET", "/v2/models/.hidden").status == 400)
    }
}

@Suite struct V2InferTests {
    static let datatypes = [
        "FP32", "FP64", "FP16", "BF16", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64", "BOOL",
    ]

    static func values(for datatype: String) -> [Double] {
        switch datatype {
        case "BOOL": [1, 0, 1, 0, 0, 1]
        case let type where type.hasPrefix("FP") || type == "BF16": [0.5, -1.5, 2, 3.25, -4, 96]
        case let type where type.hasPrefix("UINT"): [1, 2, 3, 4, 5, 120]
        default: [1, -2, 3, -4, 5, -120]
        }
    }

    @Test(arguments: datatypes)
    func jsonInputOfEveryDatatype(datatype: String) throws {
        let harness = try v2Harness()
        let values = Self.values(for: datatype)
        let data =
            datatype == "BOOL"
            ? values.map { $0 == 1 ? "true" : "false" }.joined(separator: ",") : values.map { "\($0)" }.joined(separator: ",")
        let result = harness.call(
            "POST", "/v2/models/m/infer",
            #"{"id": "q-\#(datatype)", "inputs": [{"name": "input", "shape": [2, 3], "datatype": "\#(datatype)", "data": [\#(data)]}]}"#)
        #expect(result.status == 200, "\(result.json)")
        #expect(result.json["id"] as? String == "q-\(datatype)")
        #expect(result.json["model_name"] as? String == "m")
        #expect(result.json["model_version"] as? String == "1")
        let output = (result.json["outputs"] as! [[String: Any]])[0]
        #expect(output["name"] as? String == "output")
        #expect(output["datatype"] as? String == "FP32")
        #expect(output["shape"] as? [Int] == [2, 2])
        #expect(isClose(output["data"] as! [Double], v2Expected(values), rtol: 1e-6, atol: 1e-6))
    }

    @Test(arguments: datatypes)
    func binaryInputAndOutputOfEveryDatatype(datatype: String) throws {
        let harness = try v2Harness()
        let values = Self.values(for: datatype)
        let raw = v2Bytes(values, datatype)
        let body = v2Binary(
            #"{"inputs": [{"name": "input", "shape": [2, 3], "datatype": "\#(datatype)", "parameters": {"binary_data_size": \#(raw.count)}}], "outputs": [{"name": "output", "parameters": {"binary_data": true}}]}"#,
            raw)
        let result = harness.call("POST", "/v2/models/m/infer", bytes: body.bytes, headers: body.headers)
        #expect(result.status == 200, "\(result.json)")
        let response = result.response
        #expect(response.headers.contains { $0.name == "Content-Type" && $0.value == "application/octet-stream" })
        let headerLength = Int(response.headers.first { $0.name == "Inference-Header-Content-Length" }!.value)!
        let output = (result.json["outputs"] as! [[String: Any]])[0]
        #expect(output["data"] == nil)
        #expect((output["parameters"] as? [String: Any])?["binary_data_size"] as? Int == 16)
        #expect(response.body.count == headerLength + 16)
        #expect(isClose(floats32(response.body[headerLength...]), v2Expected(values), rtol: 1e-6, atol: 1e-6))
    }

    @Test func nestedDataAndRank3() throws {
        let harness = try v2Harness()
        let result = harness.call(
            "POST", "/v2/models/m/infer",
            #"{"inputs": [{"name": "input", "shape": [2, 1, 3], "datatype": "FP32", "data": [[[1, 2, 3]], [[4, 5, 6]]]}]}"#)
        #expect(result.status == 200, "\(result.json)")
        let output = (result.json["outputs"] as! [[String: Any]])[0]
        #expect(output["shape"] as? [Int] == [2, 1, 2])
        #expect(isClose(output["data"] as! [Double], v2Expected([1, 2, 3, 4, 5, 6]), rtol: 1e-6, atol: 1e-6))
        #expect(result.json["id"] == nil)
    }

    @Test func binaryDataOutputParameterAndPerOutputOverride() throws {
        let harness = try v2Harness()
        let input = #"[{"name": "input", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]"#
        let all = harness.call("POST", "/v2/models/m/infer", #"{"inputs": \#(input), "parameters": {"binary_data_output": true}}"#)
        #expect(all.response.headers.contains { $0.name == "Inference-Header-Content-Length" })
        let overridden = harness.call(
            "POST", "/v2/models/m/infer",
            #"{"inputs": \#(input), "parameters": {"binary_data_output": true}, "outputs": [{"name": "output", "parameters": {"binary_data": false}}]}"#
        )
        #expect(!overridden.response.headers.contains { $0.name == "Inference-Header-Content-Length" })
        #expect(overridden.response.headers.contains { $0.name == "Content-Type" && $0.value == "application/json" })
        #expect(
            isClose(
                (overridden.json["outputs"] as! [[String: Any]])[0]["data"] as! [Double], v2Expected([1, 2, 3]), rtol: 1e-6, atol: 1e-6))
    }

    @Test func binaryInputWithJSONOutputAndAnyContentType() throws {
        let harness = try v2Harness()
        let raw = v2Bytes([1, 2, 3], "FP64")
        let body = v2Binary(
            #"{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP64", "parameters": {"binary_data_size": 24}}]}"#, raw)
        for type in [nil, "application/octet-stream", "application/json", "application/x-www-form-urlencoded"] {
            let result = harness.call(
                "POST", "/v2/models/m/infer", bytes: body.bytes, headers: body.headers + (type.map { [("Content-Type", $0)] } ?? []))
            #expect(result.status == 200, "\(type ?? "none"): \(result.json)")
            #expect(
                isClose(
                    (result.json["outputs"] as! [[String: Any]])[0]["data"] as! [Double], v2Expected([1, 2, 3]), rtol: 1e-6, atol: 1e-6))
        }
    }

    @Test func sameNumbersAsTheNativeRoute() throws {
        let harness = try APIHarness()
        #expect(
            harness.call(
                "PUT", "/v1/models/g",
                #"{"layers": [{"units": 16, "activation": "gelu", "seed": 3}, {"units": 4, "activation": "softmax", "seed": 4}], "input_shape": [null, 8]}"#
            ).status == 201)
        let values = (0..<40).map { Double($0 % 11) * 0.25 - 1 }
        let text = values.map { "\($0)" }.joined(separator: ",")
        let native = harness.call(
            "POST", "/v1/models/g/predict", #"{"input": {"shape": [5, 8], "data": [\#(text)]}, "output_format": "flat"}"#)
        let v2 = harness.call(
            "POST", "/v2/models/g/infer", #"{"inputs": [{"name": "input", "shape": [5, 8], "datatype": "FP32", "data": [\#(text)]}]}"#)
        let expected = (native.json["output"] as! [String: Any])["data"] as! [Double]
        #expect(isClose((v2.json["outputs"] as! [[String: Any]])[0]["data"] as! [Double], expected, rtol: 1e-6, atol: 1e-6))
    }

    /// (label, body, Inference-Header-Content-Length or nil, status, code)
    static let mistakes: [(String, [UInt8], String?, Int, String)] = {
        func json(_ text: String) -> [UInt8] { Array(text.utf8) }
        let input = #"{"name": "input", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}"#
        let header = #"{"inputs": [\#(input)]}"#
        let raw = v2Bytes([1, 2, 3], "FP32")
        let length = String(header.utf8.count)
        return [
            ("header length beyond body", json(header) + raw, String(header.utf8.count + 13), 400, "invalid_binary_data"),
            ("header length not a number", json(header) + raw, "twelve", 400, "invalid_binary_data"),
            ("header length negative", json(header) + raw, "-1", 400, "invalid_binary_data"),
            ("missing bytes", json(header) + raw.prefix(8), length, 400, "invalid_binary_data"),
            ("extra bytes", json(header) + raw + [0], length, 400, "invalid_binary_data"),
            (
                "size not matching shape", json(header.replacingOccurrences(of: "12}", with: "8}")) + raw.prefix(8),
                String(header.utf8.count - 1), 400, "invalid_binary_data"
            ),
            (
                "size not an integer", json(header.replacingOccurrences(of: "12}", with: "\"12\"}")) + raw, String(header.utf8.count + 2),
                400, "invalid_binary_data"
            ),
            ("binary without header", json(header) + raw, nil, 400, "malformed_json"),
            ("binary size, no header, JSON only", json(header), nil, 400, "invalid_binary_data"),
            (
                "data and binary",
                json(
                    #"{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3], "parameters": {"binary_data_size": 12}}]}"#
                ), nil, 400, "invalid_binary_data"
            ),
            ("header length cuts the JSON", json(header) + raw, "10", 400, "malformed_json"),
            (
                "shape vs flat data",
                json(#"{"inputs": [{"name": "input", "shape": [2, 3], "datatype": "FP32", "data": [1, 2, 3, 4, 5]}]}"#), nil, 400,
                "shape_data_mismatch"
            ),
            (
                "shape vs nested data",
                json(#"{"inputs": [{"name": "input", "shape": [2, 3], "datatype": "FP32", "data": [[1, 2], [3, 4], [5, 6]]}]}"#), nil, 400,
                "shape_data_mismatch"
            ),
            (
                "ragged data", json(#"{"inputs": [{"name": "input", "shape": [2, 3], "datatype": "FP32", "data": [[1, 2, 3], [4, 5]]}]}"#),
                nil, 400, "shape_data_mismatch"
            ),
            (
                "mixed nesting", json(#"{"inputs": [{"name": "input", "shape": [2, 3], "datatype": "FP32", "data": [[1, 2, 3], 4]}]}"#),
                nil, 400, "shape_data_mismatch"
            ),
            (
                "deeper than shape",
                json(#"{"inputs": [{"name": "input", "shape": [6], "datatype": "FP32", "data": [[[1, 2, 3]], [[4, 5, 6]]]}]}"#), nil, 400,
                "shape_data_mismatch"
            ),
            (
                "empty data", json(#"{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32", "data": []}]}"#), nil, 400,
                "shape_data_mismatch"
            ),
            ("no data", json(#"{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32"}]}"#), nil, 400, "invalid_request"),
            (
                "negative shape", json(#"{"inputs": [{"name": "input", "shape": [-1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}"#), nil,
                400, "invalid_request"
            ),
            (
                "string in data", json(#"{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32", "data": [1, "2", 3]}]}"#), nil,
                400, "invalid_request"
            ),
            (
                "bool in FP32 data",
                json(#"{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32", "data": [true, false, true]}]}"#), nil, 400,
                "invalid_request"
            ),
            (
                "BYTES", json(#"{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "BYTES", "data": ["a", "b", "c"]}]}"#), nil, 400,
                "invalid_request"
            ),
            (
                "unknown datatype", json(#"{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP8", "data": [1, 2, 3]}]}"#), nil,
                400, "invalid_request"
            ),
            (
                "wrong input name", json(#"{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}"#), nil, 400,
                "invalid_request"
            ),
            (
                "two inputs",
                json(
                    #"{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}, {"name": "input", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}"#
                ), nil, 400, "invalid_request"
            ),
            ("no inputs", json(#"{"id": "x"}"#), nil, 400, "invalid_request"),
            (
                "wrong output name",
                json(
                    #"{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}], "outputs": [{"name": "y"}]}"#),
                nil, 400, "invalid_request"
            ),
            (
                "classification",
                json(
                    #"{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}], "outputs": [{"name": "output", "parameters": {"classification": 2}}]}"#
                ), nil, 400, "invalid_request"
            ),
            (
                "id not a string",
                json(#"{"id": 7, "inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}"#), nil, 400,
                "invalid_request"
            ),
            ("malformed JSON", json(#"{"inputs": ["#), nil, 400, "malformed_json"),
            (
                "int out of range", json(#"{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "INT8", "data": [1, 2, 300]}]}"#),
                nil, 422, "invalid_value"
            ),
            (
                "width vs model", json(#"{"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}"#), nil,
                422, "shape_mismatch"
            ),
        ]
    }()

    @Test(arguments: mistakes.indices)
    func malformedRequestsAreClientErrors(index: Int) throws {
        let (label, body, length, status, code) = Self.mistakes[index]
        let harness = try v2Harness()
        let result = harness.call(
            "POST", "/v2/models/m/infer", bytes: body, headers: length.map { [("Inference-Header-Content-Length", $0)] } ?? [])
        #expect(result.status == status, "\(label): \(result.json)")
        #expect(result.json["code"] as? String == code, "\(label): \(result.json)")
        #expect((result.json["error"] as? String)?.isEmpty == false, "\(label)")
    }
}
