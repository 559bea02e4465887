import CoreMetrics
import Foundation
import HTTPCore
import Logging
import Testing

@testable import InferenceService

/// An API on a temporary model directory, called synchronously.
final class APIHarness: Sendable {
    let api: InferenceAPI
    let directory: String

    init(
        workers: Int = 2, queueDepth: Int = 16, adminToken: String? = nil, directory: String? = nil,
        limits: ServiceLimits = ServiceLimits(),
        batching: BatchingPolicy = .default, batchObserver: (@Sendable (BatchObservation) -> Void)? = nil,
        inlineMaxFLOPs: Int = 1 << 18, retryAfterSeconds: Int = 1, metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) throws {
        let dir = directory ?? (NSTemporaryDirectory() + "denseserve-test-\(UUID().uuidString)")
        self.directory = dir
        let logger = Logger(label: "test")
        let store = ModelStore(directory: dir, limits: limits, logger: logger)
        try store.load()
        var configuration = APIConfiguration(
            limits: limits, adminToken: adminToken, splitMinFLOPs: 1 << 10, batching: batching, batchObserver: batchObserver,
            serverName: "DenseServe", serverVersion: "test")
        configuration.inlineMaxFLOPs = inlineMaxFLOPs
        configuration.retryAfterSeconds = retryAfterSeconds
        api = InferenceAPI(
            configuration: configuration,
            store: store, pool: WorkerPool(workers: workers, queueDepth: queueDepth), logger: logger,
            metricsFactory: metricsFactory)
        api.setReady(true)
    }

    func call(_ method: String, _ path: String, _ body: String = "", headers: [(name: String, value: String)] = [], loopback: Bool = true)
        -> (status: Int, json: [String: Any], response: HTTPResponse)
    {
        call(method, path, bytes: Array(body.utf8), headers: headers, loopback: loopback)
    }

    /// Calls with a raw body; `json` is the body parsed as JSON (or the JSON header of a
    /// binary V2 response when it carries `Inference-Header-Content-Length`).
    func call(_ method: String, _ path: String, bytes: [UInt8], headers: [(name: String, value: String)] = [], loopback: Bool = true) -> (
        status: Int, json: [String: Any], response: HTTPResponse
    ) {
        let semaphore = DispatchSemaphore(value: 0)
        let box = ResponseBox()
        let head = HTTPRequestHead(method: method, target: path, headers: HTTPHeaders(headers.map { ($0.name, $0.value) }))
        let request = HTTPRequest(head: head, body: bytes, remoteIsLoopback: loopback)
        api.handle(request, context: RequestContext(isAbandoned: { false })) { response in
            box.response = response
            semaphore.signal()
        }
        semaphore.wait()
        let response = box.response!
        let headerLength = response.headers.first { $0.name == "Inference-Header-Content-Length" }.flatMap { Int($0.value) }
        let jsonBytes = headerLength.map { Data(response.body.prefix($0)) } ?? Data(response.body)
        let json = (try? JSONSerialization.jsonObject(with: jsonBytes, options: [.fragmentsAllowed])) as? [String: Any] ?? [:]
        return (response.status, json, response)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}

final class ResponseBox: @unchecked Sendable {
    // `@unchecked Sendable`: written once before the semaphore signals, read after it.
    var response: HTTPResponse?
}

/// Collects values from any queue.
final class Collector<Value: Sendable>: @unchecked Sendable {
    // `@unchecked Sendable`: `lock` guards `stored`.
    private let lock = NSLock()
    private var stored: [Value] = []
    func append(_ value: Value) { lock.withLock { stored.append(value) } }
    var values: [Value] { lock.withLock { stored } }
}
