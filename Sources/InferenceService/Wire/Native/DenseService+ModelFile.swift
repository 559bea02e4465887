import DenseKernel
import HTTPCore
import Logging
import Synchronization

extension DenseService {
    /// Answers `body` as `POST /v1/models/{name}/predict` would with `model` registered: `model`
    /// is a `PUT /v1/models/{name}` body (JSON, or a `.keras` / `.h5` file), registered in a
    /// store of its own in memory; the compute runs on the calling thread. Returns the status
    /// and the body the server would send (an error body for a fault in either).
    public static func respond(toPredict body: [UInt8], model: [UInt8], limits: ServiceLimits) -> (status: Int, body: [UInt8]) {
        let api = offlineAPI(limits: limits)
        if case .failure(let error) = Result(catching: { () throws(ServiceError) in try api.registerModel(name: "model", body: model) }) {
            return (error.status, error.jsonBody)
        }
        let response = api.call("POST", "/v1/models/model/predict", body)
        return (response.status, response.body)
    }

    /// `GET /v1/models/{name}` of `model` (a PUT body or a Keras file) registered offline:
    /// its shapes, parameters, summary and weights digest.
    public static func inspect(model: [UInt8], limits: ServiceLimits) -> Result<(summary: String, metadata: [UInt8]), ServiceError> {
        let api = offlineAPI(limits: limits)
        do throws(ServiceError) {
            let registered = try api.registerModel(name: "model", body: model)
            let description = try registered.describe()
            let metadata = try api.modelMetadata(registered, versions: [registered])
            let head =
                "Input: \(ModelDescription.format(registered.inputShape)) → output: \(ModelDescription.format(description.outputShape))\nWeights: \(registered.weightsDigest)\n"
            return .success((head + description.summary, metadata))
        } catch {
            return .failure(error)
        }
    }

    private static func offlineAPI(limits: ServiceLimits) -> InferenceAPI {
        let logger = Logger(label: "dense-server") { _ in SwiftLogNoOpLogHandler() }
        let api = InferenceAPI(
            configuration: APIConfiguration(
                limits: limits, batching: BatchingPolicy(enabled: false, maxBatchRows: 1, maxQueueDelayMicroseconds: 0)),
            store: ModelStore(directory: nil, limits: limits, logger: logger), pool: .inline(), logger: logger)
        api.setReady(true)
        return api
    }
}

extension InferenceAPI {
    /// One request answered synchronously (the pool runs jobs inline).
    fileprivate func call(_ method: String, _ path: String, _ body: [UInt8]) -> HTTPResponse {
        let box = Mutex<HTTPResponse?>(nil)
        let request = HTTPRequest(head: HTTPRequestHead(method: method, target: path), body: body, remoteIsLoopback: true)
        handle(request, context: RequestContext(isAbandoned: { false })) { response in
            box.withLock { $0 = response }
        }
        return box.withLock { $0 }!
    }
}
