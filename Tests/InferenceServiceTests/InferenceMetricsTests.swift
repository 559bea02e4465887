import CoreMetrics
import MetricsTestKit
import Testing

@testable import InferenceService

/// The API emits through the factory it is given (each test its own, so APIs in one process
/// stay apart and nothing needs `MetricsSystem.bootstrap`).
@Suite struct InferenceMetricsTests {
    static let model = #"{"layer": {"units": 2, "kernel": [[1, 0], [0, 1]], "bias": [0, 1]}}"#

    /// A predict of 3 rows: one compute duration, its 3 rows, and one pass of 3 rows.
    @Test(arguments: [true, false])
    func aPredictRecordsItsComputeAndItsPass(batching: Bool) throws {
        let metrics = TestMetrics()
        let harness = try APIHarness(
            batching: BatchingPolicy(enabled: batching, maxBatchRows: 64, maxQueueDelayMicroseconds: 100), inlineMaxFLOPs: 0,
            metricsFactory: metrics)
        #expect(harness.call("PUT", "/v1/models/m", Self.model).status == 201)
        let answer = harness.call("POST", "/v1/models/m/predict", #"{"input": {"shape": [3, 2], "data": [1, 2, 3, 4, 5, 6]}}"#)
        #expect(answer.status == 200)
        #expect(try metrics.expectTimer(InferenceMetrics.Label.computeDuration).values.count == 1)
        #expect(try metrics.expectRecorder(InferenceMetrics.Label.computeRows).values == [3])
        #expect(try metrics.expectRecorder(InferenceMetrics.Label.batchRows).values == [3])
        #expect(harness.api.batchTotals == BatchTotals(passes: 1, requests: 1, rows: 3))
    }

    /// Exchanges are counted by route template, method and status; a gRPC answer also by its
    /// grpc-status name. A second exchange with the same key reuses the cached handles.
    @Test func exchangesAreLabelledByRoute() throws {
        let metrics = TestMetrics()
        let api = InferenceMetrics(factory: metrics)
        for _ in 0..<2 {
            api.recordExchange(
                path: "/v1/models/m/predict", method: "POST", status: 200, grpcStatus: nil, seconds: 0.001, bytesIn: 10, bytesOut: 20)
        }
        api.recordExchange(
            path: "/inference.GRPCInferenceService/ServerLive", method: "POST", status: 200, grpcStatus: 0, seconds: 0.001,
            bytesIn: 1, bytesOut: 2)
        api.recordExchange(path: "/nope", method: "BREW", status: 404, grpcStatus: nil, seconds: 0.001, bytesIn: 1, bytesOut: 1)
        let predict = try metrics.expectCounter(
            InferenceMetrics.Label.httpRequests, [("route", "/v1/models/{name}/predict"), ("method", "POST"), ("status", "200")])
        #expect(predict.totalValue == 2)
        #expect(
            try metrics.expectTimer(InferenceMetrics.Label.httpRequestDuration, [("route", "/v1/models/{name}/predict")]).values.count == 2)
        let grpc = try metrics.expectCounter(
            InferenceMetrics.Label.grpcCalls, [("route", "/inference.GRPCInferenceService/ServerLive"), ("grpc_status", "OK")])
        #expect(grpc.totalValue == 1)
        #expect(
            try metrics.expectCounter(InferenceMetrics.Label.httpRequests, [("route", "other"), ("method", "other"), ("status", "404")])
                .totalValue == 1)
        #expect(try metrics.expectCounter(InferenceMetrics.Label.httpRequestBytes).totalValue == 22)
        #expect(try metrics.expectCounter(InferenceMetrics.Label.httpResponseBytes).totalValue == 43)
    }
}
