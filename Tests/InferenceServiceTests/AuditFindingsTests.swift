import Foundation
import HTTPCore
import Synchronization
import Testing

@testable import InferenceService

/// Regression tests for issue 11's smaller findings, one test per finding (numbered as there).
@Suite struct AuditFindingsTests {
    static let model = #"{"layer": {"units": 2, "kernel": [[1, 0], [0, 1]], "bias": [0, 0]}}"#

    /// Finding 12: the `Bearer` scheme is case-insensitive, followed by one or more spaces.
    @Test(arguments: [
        ("Bearer secret", 201), ("bearer secret", 201), ("BEARER   secret", 201), ("Basic secret", 401), ("Bearer wrong", 401),
        ("Bearer ", 401), ("Bearersecret", 401),
    ])
    func bearerSchemeIsCaseInsensitive(header: String, status: Int) throws {
        let harness = try APIHarness(adminToken: "secret")
        let result = harness.call("PUT", "/v1/models/m", Self.model, headers: [("Authorization", header)])
        #expect(result.status == status, "\(header): \(result.json)")
    }

    /// Finding 14: INT64 2^63 and UINT64 2^64 are out of range (the upper bounds are exclusive).
    @Test(arguments: [
        ("int64", "9223372036854775808", 422), ("uint64", "18446744073709551616", 422), ("int64", "-9223372036854775808", 200),
        ("uint64", "-1", 422), ("int32", "2147483648", 422), ("int32", "-2147483648", 200), ("uint8", "255", 200), ("uint8", "256", 422),
    ])
    func integerRangesAreExclusiveAtTheTop(dtype: String, value: String, status: Int) throws {
        let harness = try APIHarness()
        let body = #"{"layer": {"units": 1, "kernel": [[1]]}, "input": {"shape": [1, 1], "dtype": "\#(dtype)", "data": [\#(value)]}}"#
        let result = harness.call("POST", "/v1/dense", body)
        #expect(result.status == status, "\(dtype) \(value): \(result.json)")
        if status == 422 { #expect(result.json["code"] as? String == "invalid_value") }
    }

    /// Finding 15: versions in a path are digits only.
    @Test(arguments: ["+1", "-1", "0", "1e0", " 1", "0x1", "99999999999999999999"])
    func versionsAreDigitsOnly(version: String) throws {
        let harness = try APIHarness()
        #expect(harness.call("PUT", "/v1/models/m", Self.model).status == 201)
        let encoded = version.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? version
        for (method, path, body) in [
            ("GET", "/v2/models/m/versions/\(version)", ""), ("GET", "/v2/models/m/versions/\(encoded)", ""),
            ("POST", "/v1/models/m/versions/\(version)/predict", #"{"input": [1, 2]}"#),
        ] {
            let result = harness.call(method, path, body)
            #expect(result.status == 400, "\(path): \(result.status) \(result.json)")
        }
        #expect(harness.call("GET", "/v2/models/m/versions/1").status == 200)
        #expect(harness.call("GET", "/v2/models/m/versions/01").status == 200)
    }

    /// Finding 16: messages a user trips on.
    @Test func messagesReadRight() throws {
        let harness = try APIHarness()
        let utf8 = harness.call("POST", "/v1/dense", bytes: Array(#"{"layer": {"units": 1, "name": ""#.utf8) + [0xC0, 0x22, 0x7D, 0x7D])
        #expect(utf8.status == 400)
        #expect((utf8.json["error"] as? String)?.contains("byte byte") == false, "\(utf8.json)")
        let object = harness.call("POST", "/v1/dense", #"{"layer": {"units": 1}, "input": [{"a": 1}]}"#)
        #expect(object.status == 400)
        #expect((object.json["error"] as? String)?.contains("found an object") == true, "\(object.json)")
        let bom = harness.call("POST", "/v1/dense", bytes: [0xEF, 0xBB, 0xBF] + Array(#"{"layer": {"units": 1}, "input": [1]}"#.utf8))
        #expect(bom.json["code"] as? String == "malformed_json")
        #expect((bom.json["error"] as? String)?.contains("byte order mark") == true, "\(bom.json)")
        for path in ["/v1/models/", "/v2/models/", "/v2/models//ready"] {
            let result = harness.call("GET", path)
            #expect(result.status == 404, "\(path): \(result.json)")
            #expect(result.json["code"] as? String == "route_not_found", "\(path)")
        }
    }

    /// Finding 16 (V2 framing): a header length covering the whole body is named as the
    /// problem; a header length with a sign is not a number (sibling of finding 15).
    @Test func headerLengthMistakesAreNamed() throws {
        let harness = try v2Harness()
        let raw = v2Bytes([1, 2, 3], "FP32")
        let json = #"{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}]}"#
        let body = Array(json.utf8) + raw
        let whole = harness.call(
            "POST", "/v2/models/m/infer", bytes: body, headers: [("Inference-Header-Content-Length", String(body.count))])
        #expect(whole.status == 400)
        #expect(whole.json["code"] as? String == "invalid_binary_data", "\(whole.json)")
        #expect((whole.json["error"] as? String)?.contains("whole body") == true, "\(whole.json)")
        let signed = harness.call(
            "POST", "/v2/models/m/infer", bytes: body, headers: [("Inference-Header-Content-Length", "+\(json.utf8.count)")])
        #expect(signed.json["code"] as? String == "invalid_binary_data", "\(signed.json)")
        let good = harness.call(
            "POST", "/v2/models/m/infer", bytes: body, headers: [("Inference-Header-Content-Length", String(json.utf8.count))])
        #expect(good.status == 200, "\(good.json)")
    }

    /// Finding 9: an error names the type or a short excerpt of a bad value, never the whole
    /// value (a 5.5 MB value once came back as a 5.5 MB error), and every message is capped.
    @Test func errorsDoNotEchoLargeValues() throws {
        let harness = try APIHarness()
        let numbers = Array(repeating: "1.5", count: 1_000_000).joined(separator: ",")
        let units = harness.call("POST", "/v1/dense", #"{"layer": {"units": [\#(numbers)]}, "input": [1]}"#)
        #expect(units.status == 400)
        #expect(units.response.body.count < 2048, "\(units.response.body.count) bytes")
        let quotes = String(repeating: #"\""#, count: 2_000_000)
        let className = harness.call("POST", "/v1/dense", #"{"model": {"class_name": "\#(quotes)", "config": {}}, "input": [1]}"#)
        #expect(className.status == 422)  // well-formed, a class that is not served
        #expect(className.response.body.count < 2048, "\(className.response.body.count) bytes")
        let activation = harness.call(
            "POST", "/v1/dense", #"{"layer": {"units": 1, "activation": "\#(String(repeating: "x", count: 100_000))"}, "input": [1]}"#)
        #expect(activation.status == 422)
        #expect(activation.response.body.count < 2048, "\(activation.response.body.count) bytes")
        #expect((activation.json["error"] as? String)?.hasSuffix("characters)") == true)
    }

    /// Finding 11: DELETE's disk work runs on the worker pool under admission, as PUT does,
    /// never on the connection's I/O queue: with the pool full it is refused at once (503),
    /// and it succeeds once a worker is free.
    @Test func deleteRunsOnTheWorkerPool() throws {
        let harness = try APIHarness(workers: 1, queueDepth: 0)
        #expect(harness.call("PUT", "/v1/models/m", Self.model).status == 201)
        let gate = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        #expect(
            harness.api.pool.submit { completion in
                started.signal()
                gate.wait()
                completion.done()
            })
        started.wait()
        let refused = harness.call("DELETE", "/v1/models/m")
        #expect(refused.status == 503, "\(refused.json)")
        gate.signal()
        var deleted = harness.call("DELETE", "/v1/models/m")
        for _ in 0..<100 where deleted.status == 503 {
            Thread.sleep(forTimeInterval: 0.01)
            deleted = harness.call("DELETE", "/v1/models/m")
        }
        #expect(deleted.status == 200, "\(deleted.json)")
        #expect(harness.call("DELETE", "/v1/models/m").status == 404)
    }

    /// Issue 12: work whose client has gone before a worker takes it is skipped and answered
    /// 499 `client_closed_request`; nothing is done (a PUT stores nothing).
    @Test func abandonedWorkIsSkipped() throws {
        let harness = try APIHarness()
        let gone = harness.api
        let box = Mutex<HTTPResponse?>(nil)
        let done = DispatchSemaphore(value: 0)
        gone.handle(
            HTTPRequest(
                head: HTTPRequestHead(method: "PUT", target: "/v1/models/m", headers: ["Content-Type": "application/json"]),
                body: Array(Self.model.utf8), remoteIsLoopback: true),
            context: RequestContext(isAbandoned: { true })
        ) { response in
            box.withLock { $0 = response }
            done.signal()
        }
        done.wait()
        let response = try #require(box.withLock { $0 })
        #expect(response.status == 499 && String(decoding: response.body, as: UTF8.self).contains("client_closed_request"))
        #expect(harness.call("GET", "/v1/models/m").status == 404, "nothing was stored")
        #expect(harness.call("PUT", "/v1/models/m", Self.model).status == 201)
    }

    /// Issue 14: a request admitted while its client was there, whose client has gone by the
    /// time its batched pass starts, is skipped and answered 499 on the native and TF Serving
    /// predict routes, as on V2 infer and gRPC (it was computed for nobody). (V2 runs a pass
    /// this small inline on the I/O queue, with no pool to skip, so it is not among them.)
    @Test(arguments: [
        ("/v1/models/m/predict", #"{"input": [[1, 2]]}"#), ("/v1/models/m:predict", #"{"instances": [[1, 2]]}"#),
    ])
    func workAbandonedAfterAdmissionIsSkippedAtItsPass(path: String, body: String) throws {
        let harness = try APIHarness()
        #expect(harness.call("PUT", "/v1/models/m", Self.model).status == 201)
        #expect(harness.call("POST", path, body).status == 200)
        // Present when admitted (the first question), gone from then on.
        let asked = Atomic<Int>(0)
        let box = Mutex<HTTPResponse?>(nil)
        let done = DispatchSemaphore(value: 0)
        harness.api.handle(
            HTTPRequest(
                head: HTTPRequestHead(method: "POST", target: path, headers: ["Content-Type": "application/json"]),
                body: Array(body.utf8), remoteIsLoopback: true),
            context: RequestContext(isAbandoned: { asked.add(1, ordering: .relaxed).oldValue > 0 })
        ) { response in
            box.withLock { $0 = response }
            done.signal()
        }
        done.wait()
        let response = try #require(box.withLock { $0 })
        #expect(response.status == 499, "\(path): \(String(decoding: response.body, as: UTF8.self))")
        #expect(asked.load(ordering: .relaxed) >= 2, "\(path): asked \(asked.load(ordering: .relaxed)) times")
    }

    /// Finding 5: binary INT64/UINT64 are rounded once, from the exact value, to the first
    /// layer's dtype. They went to float64 first, then float32: 2^53+2^29+1 became 2^53
    /// (9007199254740992) instead of numpy's 9007200328482816. A float64 layer still gets the
    /// nearest float64 (9007199791611904, a tie to even). Through `b64` and V2 binary data.
    @Test(arguments: [("int64", "INT64"), ("uint64", "UINT64")])
    func sixtyFourBitIntegersRoundOnce(dtype: String, v2Datatype: String) throws {
        let value: UInt64 = (1 << 53) + (1 << 29) + 1
        let bytes = withUnsafeBytes(of: value.littleEndian) { Array($0) }
        let b64 = Data(bytes).base64EncodedString()
        let harness = try APIHarness()
        for (layerDType, expected) in [("float32", 9_007_200_328_482_816.0), ("float64", 9_007_199_791_611_904.0)] {
            let body =
                #"{"layer": {"units": 1, "kernel": [[1]], "dtype": "\#(layerDType)"}, "input": {"shape": [1, 1], "dtype": "\#(dtype)", "b64": "\#(b64)"}, "output_format": "flat"}"#
            let result = harness.call("POST", "/v1/dense", body)
            // float32 outputs are written shortest (9.0072e+15): compare as float32 there.
            let data = ((result.json["output"] as? [String: Any])?["data"] as? [Double])?.first
            #expect(data.map { layerDType == "float32" ? Double(Float($0)) : $0 } == expected, "\(layerDType): \(result.json)")
        }
        #expect(harness.call("PUT", "/v1/models/one", #"{"layer": {"units": 1, "kernel": [[1]]}}"#).status == 201)
        let json =
            #"{"inputs": [{"name": "input", "shape": [1, 1], "datatype": "\#(v2Datatype)", "parameters": {"binary_data_size": 8}}]}"#
        let v2 = harness.call(
            "POST", "/v2/models/one/infer", bytes: Array(json.utf8) + bytes,
            headers: [("Inference-Header-Content-Length", String(json.utf8.count))])
        let output = (v2.json["outputs"] as? [[String: Any]])?.first
        #expect((output?["data"] as? [Double])?.map { Float($0) } == [9_007_200_328_482_816], "\(v2.json)")
        // The sibling: a kernel (or bias) sent as INT64/UINT64 bytes is rounded once too.
        let kernelBody =
            #"{"layer": {"units": 1, "kernel": {"shape": [1, 1], "dtype": "\#(dtype)", "b64": "\#(b64)"}, "bias": {"shape": [1], "dtype": "\#(dtype)", "b64": "\#(b64)"}}, "input": [[1]], "output_format": "flat"}"#
        let kernelResult = harness.call("POST", "/v1/dense", kernelBody)
        let kernelData = ((kernelResult.json["output"] as? [String: Any])?["data"] as? [Double])?.first
        // 2 × 9007200328482816 in float32: exact.
        #expect(kernelData.map { Float($0) } == 18_014_400_656_965_632, "\(kernelResult.json)")
        // Values within 2^53 keep the float64 path (nothing extra is kept).
        let exact: [UInt8] = withUnsafeBytes(of: UInt64(1 << 53).littleEndian) { Array($0) }
        #expect(RawTensorCodec.exactIntegers(bytes: exact[...], dtype: .uint64, count: 1) == nil)
    }

    /// Finding 6: a BF16 JSON value is rounded once, from the exact double, to the nearest
    /// bfloat16 (it went decimal → double → float → bf16 and met a false tie).
    @Test func bfloat16FromJSONRoundsOnce() throws {
        #expect(RawTensorCodec.bfloat16ToFloat(RawTensorCodec.doubleToBFloat16(1.003906250931322574615478515625)) == 1.0078125)
        #expect(RawTensorCodec.bfloat16ToFloat(RawTensorCodec.doubleToBFloat16(1.00390625)) == 1.0)  // a true tie: to even
        #expect(RawTensorCodec.bfloat16ToFloat(RawTensorCodec.doubleToBFloat16(-1.003906250931322574615478515625)) == -1.0078125)
        #expect(RawTensorCodec.doubleToBFloat16(.nan) == 0x7FC0)
        #expect(RawTensorCodec.bfloat16ToFloat(RawTensorCodec.doubleToBFloat16(1e300)) == .infinity)
        // For values exact in float32 (100,000 pseudo-random bit patterns) both roundings agree.
        var state: UInt32 = 12345
        for _ in 0..<100_000 {
            state = state &* 1_664_525 &+ 1_013_904_223
            let value = Float(bitPattern: state)
            guard value.isFinite else { continue }
            #expect(RawTensorCodec.doubleToBFloat16(Double(value)) == RawTensorCodec.floatToBFloat16(value), "\(value)")
        }
        let harness = try APIHarness()
        let body =
            #"{"layer": {"units": 1, "kernel": [[1]], "bias": [0]}, "input": {"shape": [1, 1], "dtype": "bfloat16", "data": [1.003906250931322574615478515625]}, "output_format": "flat"}"#
        let result = harness.call("POST", "/v1/dense", body)
        #expect((result.json["output"] as? [String: Any])?["data"] as? [Double] == [1.0078125], "\(result.json)")
    }

    /// Also reported: a `"model"` given as a JSON string is parsed with the server's JSON
    /// limits, not the defaults.
    @Test func aModelGivenAsAStringUsesTheConfiguredDepthLimit() throws {
        let harness = try APIHarness(limits: ServiceLimits(json: .init(maxDepth: 8)))
        let nested = String(repeating: "[", count: 20) + String(repeating: "]", count: 20)
        let escaped = nested.replacingOccurrences(of: "\"", with: "\\\"")
        let result = harness.call("POST", "/v1/dense", #"{"model": "\#(escaped)", "input": [1]}"#)
        #expect(result.status == 400)
        #expect(result.json["code"] as? String == "nesting_too_deep", "\(result.json)")
    }
}
