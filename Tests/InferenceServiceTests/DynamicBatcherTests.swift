import DenseKernel
import Foundation
import HTTPCore
import Logging
import TestSupport
import Testing

@testable import InferenceService

/// Concurrent requests batched into one forward pass each get exactly their own rows.
@Suite struct DynamicBatcherTests {
    static let model =
        #"{"layers": [{"units": 16, "activation": "gelu", "seed": 3}, {"units": 5, "activation": "softmax", "seed": 4}], "input_shape": [null, 8]}"#

    /// Distinct inputs: request `index` with `rows` rows.
    static func values(index: Int, rows: Int) -> [Double] {
        (0..<(rows * 8)).map { (position: Int) -> Double in
            let step = Double((position * 7 + index * 13) % 23)
            return step * 0.125 - 1.25 + Double(index) * 0.001
        }
    }

    /// The unbatched result, computed by the kernel directly.
    static func expected(_ harness: APIHarness, _ values: [Double]) throws -> [Double] {
        let model = try harness.api.store.get(name: "b").model
        let output = model.forward(Tensor(shape: [values.count / 8, 8], storage: .float32(values.map(Float.init))))
        return (0..<output.count).map { output.storage[$0] }
    }

    /// Fires every request at once (as concurrent clients do) and waits for all answers, bounded.
    static func fire(_ harness: APIHarness, _ requests: [(path: String, body: String)]) -> [HTTPResponse?] {
        let group = DispatchGroup()
        let slots = Collector<(Int, HTTPResponse)>()
        for (index, request) in requests.enumerated() {
            group.enter()
            harness.api.handle(
                HTTPRequest(
                    head: HTTPRequestHead(method: "POST", target: request.path), body: Array(request.body.utf8), remoteIsLoopback: true),
                context: RequestContext(isAbandoned: { false })
            ) { response in
                slots.append((index, response))
                group.leave()
            }
        }
        _ = group.wait(timeout: .now() + 60)
        var out = [HTTPResponse?](repeating: nil, count: requests.count)
        for (index, response) in slots.values { out[index] = response }
        return out
    }

    /// Admits a job that blocks a worker until the returned semaphore is signalled.
    static func holdAWorker(_ harness: APIHarness) -> DispatchSemaphore {
        let gate = DispatchSemaphore(value: 0)
        #expect(
            harness.api.pool.submit { completion in
                gate.wait()
                completion.done()
            })
        return gate
    }

    /// Holds the pool's one worker with a gate, sends one V2 request of each size (so they
    /// all queue up), releases the worker and waits (bounded) for every answer.
    static func fireWhileTheWorkerIsHeld(_ harness: APIHarness, sizes: [Int]) throws -> Collector<(Int, HTTPResponse)> {
        let gate = Self.holdAWorker(harness)
        let group = DispatchGroup()
        let responses = Collector<(Int, HTTPResponse)>()
        for (index, rows) in sizes.enumerated() {
            group.enter()
            let request = Self.request(index: index, rows: rows, v2: true)
            harness.api.handle(
                HTTPRequest(
                    head: HTTPRequestHead(method: "POST", target: request.path), body: Array(request.body.utf8), remoteIsLoopback: true),
                context: RequestContext(isAbandoned: { false })
            ) { response in
                responses.append((index, response))
                group.leave()
            }
        }
        gate.signal()
        #expect(group.wait(timeout: .now() + 60) == .success)
        return responses
    }

    static func outputData(_ response: HTTPResponse?) -> [Double]? {
        guard let response, response.status == 200,
            let json = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        else { return nil }
        if let outputs = json["outputs"] as? [[String: Any]] { return outputs[0]["data"] as? [Double] }
        // TF Serving's answers: the output rows as nested lists.
        if let nested = (json["predictions"] ?? json["outputs"]) as? [[Double]] { return nested.flatMap { $0 } }
        return (json["output"] as? [String: Any])?["data"] as? [Double]
    }

    static func request(index: Int, rows: Int, v2: Bool) -> (path: String, body: String) {
        let text = values(index: index, rows: rows).map { "\(Float($0))" }.joined(separator: ",")
        return v2
            ? (
                "/v2/models/b/infer",
                #"{"id": "\#(index)", "inputs": [{"name": "input", "shape": [\#(rows), 8], "datatype": "FP32", "data": [\#(text)]}]}"#
            )
            : ("/v1/models/b/predict", #"{"input": {"shape": [\#(rows), 8], "data": [\#(text)]}, "output_format": "flat"}"#)
    }

    /// Many clients, mixed sizes, V1 and V2 together, one above max_batch_rows.
    @Test(arguments: [true, false])
    func concurrentClientsGetTheirOwnRows(batching: Bool) throws {
        let observed = Collector<BatchObservation>()
        let harness = try APIHarness(
            workers: 2, queueDepth: 256, batching: BatchingPolicy(enabled: batching, maxBatchRows: 16, maxQueueDelayMicroseconds: 2000),
            batchObserver: { observed.append($0) }, inlineMaxFLOPs: 0)  // tiny requests would skip the batcher
        #expect(harness.call("PUT", "/v1/models/b", Self.model).status == 201)
        let sizes = (0..<96).map { $0 == 50 ? 40 : 1 + ($0 * 5) % 6 }
        let requests = sizes.enumerated().map { Self.request(index: $0.offset, rows: $0.element, v2: $0.offset % 2 == 0) }
        let responses = Self.fire(harness, requests)
        for (index, rows) in sizes.enumerated() {
            let got = Self.outputData(responses[index])
            #expect(
                got != nil, "request \(index) failed: \(responses[index].map { String(decoding: $0.body, as: UTF8.self) } ?? "no answer")")
            let want = try Self.expected(harness, Self.values(index: index, rows: rows).map { Double(Float($0)) })
            #expect(isClose(got ?? [], want, rtol: 1e-6, atol: 1e-6), "request \(index) got someone else's rows")
        }
        let observations = observed.values
        #expect(observations.reduce(0) { $0 + $1.requests } == sizes.count)
        #expect(observations.reduce(0) { $0 + $1.rows } == sizes.reduce(0, +))
        #expect(observations.allSatisfy { $0.rows <= 16 || $0.requests == 1 })
        #expect(observations.contains { $0.rows == 40 && $0.requests == 1 })
        if !batching { #expect(observations.allSatisfy { $0.requests == 1 }) }
    }

    /// Requests decoded while others are still pending wait for them; with max_batch_rows
    /// equal to their total rows they all land in one forward pass. (One worker, held by a
    /// gate until every request is admitted, so the order of events is fixed.)
    @Test func pendingRequestsJoinOneForwardPass() throws {
        let observed = Collector<BatchObservation>()
        let sizes = [3, 1, 4, 1, 5, 2, 6, 2, 3, 5, 8]
        let harness = try APIHarness(
            workers: 1, queueDepth: 64,
            batching: BatchingPolicy(
                enabled: true, maxBatchRows: sizes.reduce(0, +), maxQueueDelayMicroseconds: BatchingPolicy.maxDelayLimit),
            batchObserver: { observed.append($0) }, inlineMaxFLOPs: 0)
        #expect(harness.call("PUT", "/v1/models/b", Self.model).status == 201)
        let responses = try Self.fireWhileTheWorkerIsHeld(harness, sizes: sizes)
        for (index, response) in responses.values {
            let want = try Self.expected(harness, Self.values(index: index, rows: sizes[index]).map { Double(Float($0)) })
            #expect(isClose(Self.outputData(response) ?? [], want, rtol: 1e-6, atol: 1e-6), "request \(index)")
            let json = try JSONSerialization.jsonObject(with: Data(response.body)) as! [String: Any]
            #expect(json["id"] as? String == String(index))
        }
        #expect(responses.values.count == sizes.count)
        #expect(observed.values.map(\.requests) == [sizes.count])
        #expect(observed.values.map(\.rows) == [sizes.reduce(0, +)])
    }

    /// Issue 11 (also reported): a batch stays within max_flops for one forward pass. Each
    /// request fits alone; the batcher starts a new pass before the sum would pass the limit.
    @Test func aBatchStaysWithinTheFLOPLimit() throws {
        let observed = Collector<BatchObservation>()
        let sizes = [4, 4, 4, 4, 4, 4]
        // The model: 8 → 16 → 5, so 2·(8·16 + 16·5) = 416 FLOPs a row; 10 rows fit, 12 do not.
        let limits = ServiceLimits(dense: DenseLimits(maxRank: 32, maxElements: 1 << 26, maxLayers: 16, maxParams: 1 << 26, maxFLOPs: 4160))
        let harness = try APIHarness(
            workers: 1, queueDepth: 64, limits: limits,
            batching: BatchingPolicy(enabled: true, maxBatchRows: 256, maxQueueDelayMicroseconds: BatchingPolicy.maxDelayLimit),
            batchObserver: { observed.append($0) }, inlineMaxFLOPs: 0)
        #expect(harness.call("PUT", "/v1/models/b", Self.model).status == 201)
        let responses = try Self.fireWhileTheWorkerIsHeld(harness, sizes: sizes)
        #expect(responses.values.allSatisfy { $0.1.status == 200 })
        #expect(observed.values.reduce(0) { $0 + $1.rows } == sizes.reduce(0, +))
        #expect(observed.values.allSatisfy { $0.rows * 416 <= 4160 }, "\(observed.values.map(\.rows))")
        #expect(observed.values.contains { $0.requests > 1 }, "batching still merges: \(observed.values.map(\.requests))")
    }

    /// Queued requests keep their admission slots: beyond the pool's capacity, 503 at once.
    @Test func queuedRequestsCountAgainstAdmission() throws {
        let harness = try APIHarness(
            workers: 2, queueDepth: 1,
            batching: BatchingPolicy(enabled: true, maxBatchRows: 1000, maxQueueDelayMicroseconds: BatchingPolicy.maxDelayLimit),
            inlineMaxFLOPs: 0)
        #expect(harness.call("PUT", "/v1/models/b", Self.model).status == 201)
        // Other admitted work (a job that waits) keeps the batcher waiting for company.
        let gate = Self.holdAWorker(harness)
        let group = DispatchGroup()
        let statuses = Collector<Int>()
        for index in 0..<2 {
            group.enter()
            let request = Self.request(index: index, rows: 1, v2: true)
            harness.api.handle(
                HTTPRequest(
                    head: HTTPRequestHead(method: "POST", target: request.path), body: Array(request.body.utf8), remoteIsLoopback: true),
                context: RequestContext(isAbandoned: { false })
            ) { response in
                statuses.append(response.status)
                group.leave()
            }
        }
        var spins = 0
        while harness.api.batcher.queuedCount == 0 && spins < 100_000 {
            usleep(50)
            spins += 1
        }
        #expect(harness.api.batcher.queuedCount >= 1)
        #expect(harness.api.pool.depth == 3)
        let refused = harness.call("POST", "/v2/models/b/infer", Self.request(index: 9, rows: 1, v2: true).body)
        #expect(refused.status == 503)
        #expect(refused.json["code"] as? String == "overloaded")
        gate.signal()
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(statuses.values == [200, 200])
        #expect(harness.api.pool.depth == 0)
    }

    @Test func perModelSettingsOverrideAndSurviveARestart() throws {
        let harness = try APIHarness()
        let put = harness.call(
            "PUT", "/v1/models/b",
            #"{"layer": {"units": 2, "seed": 1}, "input_shape": [null, 3], "batching": {"enabled": false, "max_queue_delay_us": 5}}"#)
        #expect(put.status == 201)
        let batching = put.json["batching"] as? [String: Any]
        #expect(batching?["enabled"] as? Bool == false)
        #expect(batching?["max_queue_delay_us"] as? Int == 5)
        #expect(batching?["max_batch_rows"] as? Int == BatchingPolicy.default.maxBatchRows)
        for bad in [#"{"enabled": 1}"#, #"{"max_batch_rows": 0}"#, #"{"max_queue_delay_us": -1}"#, #"{"rows": 3}"#, "true"] {
            let rejected = harness.call("PUT", "/v1/models/c", #"{"layer": {"units": 2}, "input_shape": [null, 3], "batching": \#(bad)}"#)
            #expect(rejected.status == 400, "\(bad)")
        }
        // A second store on the same directory reads what a restart would.
        let reopened = ModelStore(directory: harness.directory, limits: ServiceLimits(), logger: Logger(label: "test"))
        try reopened.load()
        let model = try reopened.get(name: "b")
        #expect(model.batching == BatchingOverrides(enabled: false, maxQueueDelayMicroseconds: 5))
        #expect(
            harness.api.batchingPolicy(for: model)
                == BatchingPolicy(enabled: false, maxBatchRows: BatchingPolicy.default.maxBatchRows, maxQueueDelayMicroseconds: 5))
        #expect(reopened.loadProblems.isEmpty)
    }

    /// A model whose declared input shape has rank 3 (the seed's `(None, 20, 5)`), and one with
    /// a Flatten, still merge concurrent requests: the batch's limit check once validated the
    /// merged rows as a rank-2 shape, which the declared rank refused, so nothing merged.
    @Test(arguments: [
        #"{"layer": {"units": 3, "seed": 1}, "input_shape": [null, 2, 4]}"#,
        #"{"layers": [{"class_name": "Flatten", "config": {}}, {"units": 3, "seed": 1}], "input_shape": [null, 2, 4]}"#,
    ])
    func modelsWithARank3InputShapeStillBatch(model: String) throws {
        let observed = Collector<BatchObservation>()
        let harness = try APIHarness(
            workers: 1, queueDepth: 64, batching: BatchingPolicy(enabled: true, maxBatchRows: 64, maxQueueDelayMicroseconds: 2000),
            batchObserver: { observed.append($0) }, inlineMaxFLOPs: 0)
        #expect(harness.call("PUT", "/v1/models/b", model).status == 201)
        let gate = Self.holdAWorker(harness)
        let group = DispatchGroup()
        let statuses = Collector<Int>()
        for index in 0..<8 {
            group.enter()
            let data = (0..<8).map { String(Double($0 + index) / 8) }.joined(separator: ", ")
            let body = #"{"input": {"shape": [1, 2, 4], "data": [\#(data)]}}"#
            harness.api.handle(
                HTTPRequest(
                    head: HTTPRequestHead(method: "POST", target: "/v1/models/b/predict"), body: Array(body.utf8), remoteIsLoopback: true),
                context: RequestContext(isAbandoned: { false })
            ) { response in
                statuses.append(response.status)
                group.leave()
            }
        }
        gate.signal()
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(statuses.values == Array(repeating: 200, count: 8))
        #expect(observed.values.contains { $0.requests > 1 }, "\(observed.values.map(\.requests))")
    }
}
