import DenseKernel
import Foundation
import HTTPCore
import TestSupport
import Testing

@testable import InferenceService

/// API.md's batch invariance, end to end: a row's output is bitwise the same sent alone,
/// anywhere inside a request of 1 to 1,000 rows, through any route, merged with other
/// clients' rows by dynamic batching, or split over workers.
@Suite struct RouteInvarianceTests {
    enum Route: String, CaseIterable, CustomTestStringConvertible {
        case oneShot = "/v1/dense"
        case predict = "/v1/models/inv/predict"
        case v2JSON = "/v2/models/inv/infer (JSON)"
        case v2Binary = "/v2/models/inv/infer (binary)"
        case tfServingRow = "/v1/models/inv:predict (instances)"
        case tfServingColumnar = "/v1/models/inv/versions/1:predict (inputs)"
        var testDescription: String { rawValue }
    }

    static let rowCounts = [1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 64, 255, 256, 257, 1000]

    /// 20 → 280 (relu) → 6 (softmax): the second layer's 280 inputs span two K-blocks.
    static func layers(_ dtype: DType) -> String {
        #"[{"units": 280, "activation": "relu", "seed": 1, "dtype": "\#(dtype.rawValue)"}, {"units": 6, "activation": "softmax", "seed": 2, "dtype": "\#(dtype.rawValue)"}]"#
    }

    static func harness(_ dtype: DType, batching: BatchingPolicy = .default, workers: Int = 2) throws -> APIHarness {
        let harness = try APIHarness(workers: workers, queueDepth: 256, batching: batching)
        let put = harness.call("PUT", "/v1/models/inv", #"{"layers": \#(layers(dtype)), "input_shape": [null, 20]}"#)
        precondition(put.status == 201, "\(put.json)")
        return harness
    }

    /// Row `index` of a request: distinct values, exact in float32 (multiples of 1/64).
    static func row(_ index: Int) -> [Double] {
        (0..<20).map { Double(((index &* 7919 &+ $0 &* 104_729) % 257) - 128) / 64 }
    }

    /// A request of `rows` and its output rows, through `route`.
    static func outputs(_ harness: APIHarness, _ route: Route, _ dtype: DType, rows: [[Double]]) -> [[Double]]? {
        let flat = rows.flatMap { $0 }
        let text = flat.map { "\($0)" }.joined(separator: ",")
        let datatype = dtype == .float32 ? "FP32" : "FP64"
        let result: (status: Int, json: [String: Any], response: HTTPResponse)
        switch route {
        case .oneShot:
            result = harness.call(
                "POST", route.rawValue,
                #"{"layers": \#(layers(dtype)), "input": {"shape": [\#(rows.count), 20], "data": [\#(text)]}, "output_format": "flat"}"#)
        case .predict:
            result = harness.call(
                "POST", route.rawValue, #"{"input": {"shape": [\#(rows.count), 20], "data": [\#(text)]}, "output_format": "flat"}"#)
        case .v2JSON:
            result = harness.call(
                "POST", "/v2/models/inv/infer",
                #"{"inputs": [{"name": "input", "shape": [\#(rows.count), 20], "datatype": "\#(datatype)", "data": [\#(text)]}]}"#)
        case .v2Binary:
            let raw = v2Bytes(flat, datatype)
            let (bytes, headers) = v2Binary(
                #"{"inputs": [{"name": "input", "shape": [\#(rows.count), 20], "datatype": "\#(datatype)", "parameters": {"binary_data_size": \#(raw.count)}}]}"#,
                raw)
            result = harness.call("POST", "/v2/models/inv/infer", bytes: bytes, headers: headers)
        case .tfServingRow:
            let instances = rows.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]" }.joined(separator: ",")
            result = harness.call("POST", "/v1/models/inv:predict", #"{"instances": [\#(instances)]}"#)
        case .tfServingColumnar:
            let inputs = rows.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]" }.joined(separator: ",")
            result = harness.call(
                "POST", "/v1/models/inv/versions/1:predict", #"{"signature_name": "serving_default", "inputs": {"input": [\#(inputs)]}}"#)
        }
        guard result.status == 200 else { return nil }
        let data: [Double]?
        if let nested = (result.json["predictions"] ?? result.json["outputs"]) as? [[Double]] {
            data = nested.flatMap { $0 }
        } else if let outputs = result.json["outputs"] as? [[String: Any]] {
            data = outputs.first?["data"] as? [Double]
        } else {
            data = (result.json["output"] as? [String: Any])?["data"] as? [Double]
        }
        guard let data, data.count == rows.count * 6 else { return nil }
        return (0..<rows.count).map { Array(data[($0 * 6)..<(($0 + 1) * 6)]) }
    }

    @Test(arguments: DType.allCases, Route.allCases)
    func aRowGetsTheSameBitsInEveryRequestSizeAndRoute(dtype: DType, route: Route) throws {
        let harness = try Self.harness(dtype)
        var generator = LCG64(state: 17)
        let probes = [Self.row(1), Self.row(2)]
        // The reference: each probe alone, through the registered predict route.
        let alone = try probes.map { try #require(Self.outputs(harness, .predict, dtype, rows: [$0])?.first) }
        for rowCount in Self.rowCounts {
            var rows = (0..<rowCount).map { Self.row(1000 + rowCount * 3 + $0) }
            let positions =
                rowCount == 1
                ? [0] : [generator.index(below: rowCount / 2), rowCount / 2 + generator.index(below: rowCount - rowCount / 2)]
            for (probe, position) in zip(probes, positions) { rows[position] = probe }
            let got = try #require(Self.outputs(harness, route, dtype, rows: rows), "\(rowCount) rows via \(route)")
            for (index, position) in positions.enumerated() {
                #expect(
                    got[position].map(\.bitPattern) == alone[index].map(\.bitPattern),
                    "probe \(index) at row \(position) of \(rowCount) via \(route)")
            }
        }
    }

    /// A tiny V2 request runs inline on the caller's queue (no pool, no batcher): its rows get
    /// the bits they get on the worker pool, and inside a request too large to run inline.
    @Test(arguments: DType.allCases)
    func tinyRequestsRunInlineWithTheSameBits(dtype: DType) throws {
        let model = #"{"layer": {"units": 8, "activation": "gelu", "seed": 3, "dtype": "\#(dtype.rawValue)"}, "input_shape": [null, 16]}"#
        func answer(_ harness: APIHarness, rows: [[Double]]) throws -> [UInt64] {
            let data = rows.flatMap { $0 }.map { String($0) }.joined(separator: ",")
            let body = #"{"inputs": [{"name": "input", "shape": [\#(rows.count), 16], "datatype": "FP64", "data": [\#(data)]}]}"#
            let result = harness.call("POST", "/v2/models/tiny/infer", body)
            let values = try #require((result.json["outputs"] as? [[String: Any]])?.first?["data"] as? [Double], "\(result.json)")
            return values.map(\.bitPattern)
        }
        let inline = try APIHarness()
        let pooled = try APIHarness(inlineMaxFLOPs: 0)
        for harness in [inline, pooled] { #expect(harness.call("PUT", "/v1/models/tiny", model).status == 201) }
        let row = (0..<16).map { Double($0 * 37 % 17 - 8) / 8 }
        #expect(InferenceAPI.runsInline(try inline.api.store.get(name: "tiny"), bodyBytes: 400, maxFLOPs: 1 << 18))
        let alone = try answer(inline, rows: [row])
        #expect(alone == (try answer(pooled, rows: [row])))
        // 300 rows: a body far over 4 KiB, so the pool and the batcher run it.
        let many = (0..<300).map { index in index == 123 ? row : row.map { $0 + Double(index) / 64 } }
        #expect(Array(try answer(inline, rows: many)[(123 * 8)..<(124 * 8)]) == alone)
    }

    /// 32 clients send the same row at once: dynamic batching merges them (checked), and every
    /// answer is bitwise the answer the row gets alone.
    @Test(arguments: DType.allCases)
    func concurrentClientsMergedIntoBatchesGetTheRowAloneBits(dtype: DType) throws {
        let observed = Collector<BatchObservation>()
        let harness = try APIHarness(
            workers: 2, queueDepth: 256, batching: BatchingPolicy(enabled: true, maxBatchRows: 64, maxQueueDelayMicroseconds: 5000),
            batchObserver: { observed.append($0) })
        #expect(harness.call("PUT", "/v1/models/inv", #"{"layers": \#(Self.layers(dtype)), "input_shape": [null, 20]}"#).status == 201)
        let probe = Self.row(7)
        let alone = try #require(Self.outputs(harness, .predict, dtype, rows: [probe])?.first)
        let text = probe.map { "\($0)" }.joined(separator: ",")
        let datatype = dtype == .float32 ? "FP32" : "FP64"
        let requests = (0..<32).map { index in
            switch index % 3 {
            case 0: (path: "/v1/models/inv/predict", body: #"{"input": {"shape": [1, 20], "data": [\#(text)]}, "output_format": "flat"}"#)
            case 1:
                (
                    path: "/v2/models/inv/infer",
                    body: #"{"inputs": [{"name": "input", "shape": [1, 20], "datatype": "\#(datatype)", "data": [\#(text)]}]}"#
                )
            default: (path: "/v1/models/inv:predict", body: #"{"instances": [[\#(text)]]}"#)
            }
        }
        // Rounds until some batch merged several requests (bounded: the pool is saturated by
        // 32 requests at once, so merging happens in the first round in practice).
        for _ in 0..<5 {
            let responses = DynamicBatcherTests.fire(harness, requests)
            for (index, response) in responses.enumerated() {
                let got = try #require(DynamicBatcherTests.outputData(response), "request \(index) failed")
                #expect(got.map(\.bitPattern) == alone.map(\.bitPattern), "request \(index)")
            }
            if observed.values.contains(where: { $0.requests > 1 }) { break }
        }
        #expect(observed.values.contains { $0.requests > 1 }, "no batch merged two requests")
    }

    /// A request large enough to be split over both workers gives each row the bits it gets
    /// alone (the split is by rows; rows never mix).
    @Test(arguments: DType.allCases)
    func aSplitRequestGivesEachRowItsAloneBits(dtype: DType) throws {
        let harness = try Self.harness(dtype, batching: BatchingPolicy(enabled: false, maxBatchRows: 64, maxQueueDelayMicroseconds: 0))
        let rows = (0..<97).map { Self.row($0) }
        let got = try #require(Self.outputs(harness, .predict, dtype, rows: rows))
        for index in [0, 48, 49, 96] {
            let alone = try #require(Self.outputs(harness, .predict, dtype, rows: [rows[index]])?.first)
            #expect(got[index].map(\.bitPattern) == alone.map(\.bitPattern), "row \(index)")
        }
    }
}

/// API.md: `{"shape", "data"}` without `"dtype"` holds exact JSON numbers; a float64 layer
/// keeps them float64 (as for a nested array), while `b64` defaults to float32.
@Suite struct UntypedInputTests {
    static let layer = #"{"units": 1, "kernel": [[1]], "bias": [0], "dtype": "float64"}"#

    @Test func untypedFlatDataIntoAFloat64LayerIsExact() throws {
        let harness = try APIHarness()
        for input in [#"{"shape": [1, 1], "data": [0.1]}"#, #"[[0.1]]"#] {
            let result = harness.call("POST", "/v1/dense", #"{"layer": \#(Self.layer), "input": \#(input), "output_format": "flat"}"#)
            #expect(result.status == 200, "\(result.json)")
            let data = (result.json["output"] as? [String: Any])?["data"] as? [Double]
            #expect(data == [0.1], "\(input)")
        }
        let typed = harness.call(
            "POST", "/v1/dense",
            #"{"layer": \#(Self.layer), "input": {"shape": [1, 1], "dtype": "float32", "data": [0.1]}, "output_format": "flat"}"#)
        // Checked in the body's text: Foundation's JSON parser on Linux misreads some 17-digit numbers.
        #expect(String(decoding: typed.response.body, as: UTF8.self).contains("[\(Double(Float(0.1)))]"))
    }

    @Test func b64DefaultsToFloat32() throws {
        let harness = try APIHarness()
        let bytes = withUnsafeBytes(of: Float(0.1).bitPattern.littleEndian) { Array($0) }
        let b64 = Data(bytes).base64EncodedString()
        let result = harness.call(
            "POST", "/v1/dense", #"{"layer": \#(Self.layer), "input": {"shape": [1, 1], "b64": "\#(b64)"}, "output_format": "flat"}"#)
        #expect(result.status == 200, "\(result.json)")
        #expect(String(decoding: result.response.body, as: UTF8.self).contains("[\(Double(Float(0.1)))]"))
    }
}
