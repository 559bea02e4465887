import Foundation
import Logging
import Testing

@testable import InferenceService

/// An API on a temporary model directory, called synchronously.
final class APIHarness: Sendable {
    let api: InferenceAPI
    let directory: String

    init(workers: Int = 2, queueDepth: Int = 16, adminToken: String? = nil, directory: String? = nil, limits: ServiceLimits = ServiceLimits()) throws {
        let dir = directory ?? (NSTemporaryDirectory() + "denseserve-test-\(UUID().uuidString)")
        self.directory = dir
        let logger = Logger(label: "test")
        let store = ModelStore(directory: dir, limits: limits, logger: logger)
        try store.load()
        api = InferenceAPI(
            configuration: APIConfiguration(limits: limits, adminToken: adminToken, splitMinFLOPs: 1 << 10),
            store: store, pool: WorkerPool(workers: workers, queueDepth: queueDepth), logger: logger)
        api.setReady(true)
    }

    func call(_ method: String, _ path: String, _ body: String = "", headers: [(name: String, value: String)] = [], loopback: Bool = true) -> (status: Int, json: [String: Any], response: APIResponse) {
        let semaphore = DispatchSemaphore(value: 0)
        let box = ResponseBox()
        api.handle(APIRequest(method: method, path: path, headers: headers, body: Array(body.utf8), remoteIsLoopback: loopback)) { response in
            box.response = response
            semaphore.signal()
        }
        semaphore.wait()
        let response = box.response!
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed])) as? [String: Any] ?? [:]
        return (response.status, json, response)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}

final class ResponseBox: @unchecked Sendable {
    // `@unchecked Sendable`: written once before the semaphore signals, read after it.
    var response: APIResponse?
}
