import HTTPCore
import TensorJSON

extension InferenceAPI {
    /// Every route the API answers: dispatch, `Allow`, metrics labels and the documentation
    /// check all read this one table (`openapi.yaml` documents the same templates).
    static let routeTable = RouteTable([
        Route(
            "/",
            [("GET", { _, _, _, _, respond in respond(HTTPResponse(status: 200, headers: BrowserPage.headers, body: BrowserPage.bytes)) })]
        ),
        Route("/healthz", [("GET", { _, _, _, _, respond in respond(.json(200, Array(#"{"status":"ok"}"#.utf8))) })]),
        Route(
            "/metrics",
            [
                (
                    "GET",
                    { api, request, _, _, respond throws(ServiceError) in
                        guard let metricsText = api.configuration.metricsText else { throw .routeNotFound(path: request.path) }
                        respond(
                            HTTPResponse(
                                status: 200, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: metricsText()))
                    }
                )
            ]),
        Route(
            "/openapi.yaml",
            [
                (
                    "GET",
                    { _, _, _, _, respond in
                        respond(HTTPResponse(status: 200, headers: ["Content-Type": "application/yaml"], body: OpenAPIDocument.bytes))
                    }
                )
            ]),
        Route("/v2/health/live", [("GET", { _, _, _, _, respond in respond(.json(200, Array(#"{"live":true}"#.utf8))) })]),
        Route(
            "/v2/health/ready",
            [
                (
                    "GET",
                    { api, _, _, _, respond in
                        respond(
                            api.isReady
                                ? .json(200, Array(#"{"ready":true}"#.utf8))
                                : .json(503, Array(#"{"ready":false}"#.utf8), headers: api.retryAfterHeader))
                    }
                )
            ]),
        Route(
            "/v1/dense",
            [("POST", { api, request, context, _, respond throws(ServiceError) in try api.postDense(request, context, respond) })]),
        Route("/v1/models", [("GET", { api, _, _, _, respond throws(ServiceError) in respond(.json(200, try api.listModels())) })]),
        Route(
            "/v1/models/{name}",
            [
                (
                    "GET",
                    { api, _, _, p, respond throws(ServiceError) in
                        respond(
                            .json(200, try api.modelMetadata(try api.store.get(name: p.name), versions: api.store.versions(name: p.name))))
                    }
                ),
                (
                    "PUT",
                    { api, request, context, p, respond throws(ServiceError) in try api.putModel(request, context, name: p.name, respond) }
                ),
                (
                    "DELETE",
                    { api, request, context, p, respond throws(ServiceError) in
                        try api.deleteModel(request, context, name: p.name, respond)
                    }
                ),
            ]),
        Route(
            "/v1/models/{name}/predict",
            [("POST", predictHandler(InferenceAPI.predictRegistered))]),
        Route(
            "/v1/models/{name}/versions/{version}/predict",
            [("POST", predictHandler(InferenceAPI.predictRegistered))]),
        // TF Serving's REST API: the method is in the model's (or the version's) own segment.
        Route(
            "/v1/models/{name}:predict",
            [("POST", predictHandler(InferenceAPI.tfServingPredict))]
        ),
        Route(
            "/v1/models/{name}/versions/{version}:predict",
            [("POST", predictHandler(InferenceAPI.tfServingPredict))]
        ),
        Route(
            "/v1/models/{name}/metadata",
            [("GET", { api, _, _, p, respond throws(ServiceError) in try api.tfServingMetadata(p, respond) })]),
        Route(
            "/v1/models/{name}/versions/{version}/metadata",
            [("GET", { api, _, _, p, respond throws(ServiceError) in try api.tfServingMetadata(p, respond) })]),
        Route("/v2", [("GET", { api, _, _, _, respond in respond(.json(200, api.serverMetadata())) })]),
        Route("/v2/models/{name}", [("GET", { api, _, _, p, respond throws(ServiceError) in try api.v2Metadata(p, respond) })]),
        Route(
            "/v2/models/{name}/versions/{version}",
            [("GET", { api, _, _, p, respond throws(ServiceError) in try api.v2Metadata(p, respond) })]
        ),
        Route("/v2/models/{name}/ready", [("GET", { api, _, _, p, respond throws(ServiceError) in try api.v2Ready(p, respond) })]),
        Route(
            "/v2/models/{name}/versions/{version}/ready",
            [("GET", { api, _, _, p, respond throws(ServiceError) in try api.v2Ready(p, respond) })]),
        Route("/v2/models/{name}/config", [("GET", { api, _, _, p, respond throws(ServiceError) in try api.v2Config(p, respond) })]),
        Route(
            "/v2/models/{name}/versions/{version}/config",
            [("GET", { api, _, _, p, respond throws(ServiceError) in try api.v2Config(p, respond) })]),
        Route(
            "/v2/models/{name}/infer",
            [("POST", { api, request, context, p, respond throws(ServiceError) in try api.v2Infer(request, context, p, respond) })]
        ),
        Route(
            "/v2/models/{name}/versions/{version}/infer",
            [("POST", { api, request, context, p, respond throws(ServiceError) in try api.v2Infer(request, context, p, respond) })]),
    ])

    /// The label metrics use for `path`: its route's template (`/v1/models/{name}/predict`),
    /// a gRPC method's path (`/inference.GRPCInferenceService/ModelInfer`), or `other` for a
    /// path nothing answers.
    public static func routeTemplate(_ path: String) -> String {
        grpcMethods.contains(path) ? path : routeTable.template(of: path)
    }

    /// Finds the request's route, checks the path's parameters and the method, and runs the
    /// handler. A bad model name or version is a 400 whatever the method; an unknown path 404;
    /// a known path with another method 405 with `Allow`.
    func route(_ request: HTTPRequest, _ context: RequestContext, respond: @escaping Route.Respond) throws(ServiceError) {
        guard let (route, name, version) = Self.routeTable.find(request.path) else { throw .routeNotFound(path: request.path) }
        var parameters = RouteParameters()
        if let name {
            try ModelName.validate(name)
            parameters.name = name
        }
        if let version { parameters.version = try ModelVersion.parseOrThrow(version) }
        guard let handler = route.methods.first(where: { $0.method == request.method })?.handler else {
            throw .methodNotAllowed(method: request.method, allowed: route.allowed)
        }
        try handler(self, request, context, parameters, respond)
    }

    /// `Retry-After` for a 503 of this API.
    var retryAfterHeader: [(String, String)] { [("Retry-After", String(configuration.retryAfterSeconds))] }

    // MARK: handlers

    private func postDense(_ request: HTTPRequest, _ context: RequestContext, _ respond: @escaping Route.Respond) throws(ServiceError) {
        try runOnPool(abandoned: context.isAbandoned, respond) { completion in
            self.oneShot(request.body, admitted: completion.admittedAt) { response in
                completion.done()
                respond(response)
            }
        }
    }

    private func putModel(_ request: HTTPRequest, _ context: RequestContext, name: String, _ respond: @escaping Route.Respond)
        throws(ServiceError)
    {
        try authorizeAdmin(request)
        // The body says what it is (`Content-Type` is not read): a Keras model file by its
        // first bytes (KerasModelImport), JSON otherwise. The job holds the body in a box, not
        // the request, so it can hand the only reference on and the parse can release it.
        let body = BodyHandoff(request.body)
        try runOnPool(abandoned: context.isAbandoned, respond) { completion in
            let response: HTTPResponse
            do throws(ServiceError) {
                response = .json(201, try self.putModel(name: name, body: body.take()))
            } catch {
                response = self.fail(error)
            }
            completion.done()
            respond(response)
        }
    }

    private func deleteModel(_ request: HTTPRequest, _ context: RequestContext, name: String, _ respond: @escaping Route.Respond)
        throws(ServiceError)
    {
        try authorizeAdmin(request)
        // Renames, fsyncs and removes files: blocking work, so on the worker pool as PUT
        // is (on the I/O queue it held every connection of that loop, 56 ms measured).
        try runOnPool(abandoned: context.isAbandoned, respond) { completion in
            let response: HTTPResponse
            do throws(ServiceError) {
                guard try self.store.delete(name: name) else { throw .modelNotFound(name: name, version: nil) }
                var writer = JSONWriter()
                writer.beginObject()
                writer.write(name, forKey: "deleted")
                writer.endObject()
                response = .json(200, writer.bytes)
            } catch {
                response = self.fail(error)
            }
            completion.done()
            respond(response)
        }
    }

    /// A registered model's predict in one wire format (`predictRegistered`, `tfServingPredict`):
    /// it decodes the body, computes on the worker pool and answers.
    typealias PredictFormat =
        @Sendable (InferenceAPI) -> (
            RegisteredModel, [UInt8], ContinuousClock.Instant, @escaping @Sendable () -> Bool, @escaping Route.Respond
        ) -> Void

    /// The POST handler of a predict route in `format`: the model (or version) is looked up
    /// first (404 without admission), then `format` decodes and computes on the worker pool.
    private static func predictHandler(_ format: @escaping PredictFormat) -> Route.Handler {
        { api, request, context, parameters, respond throws(ServiceError) in
            let registered = try api.store.get(name: parameters.name, version: parameters.version)
            try api.runOnPool(abandoned: context.isAbandoned, respond) { completion in
                format(api)(registered, request.body, completion.admittedAt, context.isAbandoned) { response in
                    completion.done()
                    respond(response)
                }
            }
        }
    }

    private func tfServingMetadata(_ parameters: RouteParameters, _ respond: @escaping Route.Respond) throws(ServiceError) {
        respond(.json(200, try tfServingMetadata(try store.get(name: parameters.name, version: parameters.version))))
    }

    private func v2Metadata(_ parameters: RouteParameters, _ respond: @escaping Route.Respond) throws(ServiceError) {
        let model = try store.get(name: parameters.name, version: parameters.version)
        respond(.json(200, try v2ModelMetadata(model, versions: store.versions(name: parameters.name))))
    }

    private func v2Ready(_ parameters: RouteParameters, _ respond: @escaping Route.Respond) throws(ServiceError) {
        let model = try store.get(name: parameters.name, version: parameters.version)
        var writer = JSONWriter()
        writer.beginObject()
        writer.write(model.name, forKey: "name")
        writer.write(isReady, forKey: "ready")
        writer.endObject()
        respond(isReady ? .json(200, writer.bytes) : .json(503, writer.bytes, headers: retryAfterHeader))
    }

    private func v2Config(_ parameters: RouteParameters, _ respond: @escaping Route.Respond) throws(ServiceError) {
        let model = try store.get(name: parameters.name, version: parameters.version)
        respond(.json(200, try v2ModelConfig(model)))
    }

    private func v2Infer(
        _ request: HTTPRequest, _ context: RequestContext, _ parameters: RouteParameters, _ respond: @escaping Route.Respond
    ) throws(ServiceError) {
        let model = try store.get(name: parameters.name, version: parameters.version)
        if Self.runsInline(model, bodyBytes: request.body.count, maxFLOPs: configuration.inlineMaxFLOPs) {
            v2Infer(model, request: request, admitted: ContinuousClock.now, abandoned: context.isAbandoned, inline: true, respond: respond)
            return
        }
        try runOnPool(abandoned: context.isAbandoned, respond) { completion in
            self.v2Infer(model, request: request, admitted: completion.admittedAt, abandoned: context.isAbandoned) { response in
                completion.done()
                respond(response)
            }
        }
    }
}
