/// The parameters a route's path carries, checked before its handler runs.
struct RouteParameters: Sendable {
    /// `{name}`: a valid model name (`ModelName.validate`), or "" when the route has none.
    var name = ""
    /// `{version}`: a valid version number, or nil when the route has none.
    var version: Int?
}

/// One route of the API: its path as `openapi.yaml` writes it, and a handler per method.
///
/// The one table of routes (``InferenceAPI/routeTable``) drives dispatch, the `Allow` header of
/// a 405, the metrics' route label, and the check that every route is documented.
struct Route: Sendable {
    typealias Respond = @Sendable (APIResponse) -> Void
    typealias Handler =
        @Sendable (InferenceAPI, APIRequest, RouteParameters, @escaping Respond) throws(ServiceError) -> Void

    enum Segment: Sendable, Equatable {
        /// A fixed segment, as its UTF-8 bytes (compared byte for byte: paths are ASCII).
        case literal([UInt8])
        case name
        case version
    }

    /// The path template, e.g. `/v1/models/{name}/predict`.
    let template: String
    let segments: [Segment]
    /// The methods in the order `Allow` lists them, with their handlers.
    let methods: [(method: String, handler: Handler)]

    /// A route at `template` answering `methods` (`GET` brings `HEAD` with the same handler).
    init(_ template: String, _ methods: [(String, Handler)]) {
        self.template = template
        segments = template.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            switch part {
            case "{name}": .name
            case "{version}": .version
            default: .literal(Array(part.utf8))
            }
        }
        var all: [(method: String, handler: Handler)] = []
        for (method, handler) in methods {
            all.append((method, handler))
            if method == "GET" { all.append(("HEAD", handler)) }
        }
        self.methods = all
    }

    var allowed: [String] { methods.map { $0.method } }

    /// The raw parameter segments if this route matches a path's segments (UTF-8 slices).
    func match(_ parts: [ArraySlice<UInt8>]) -> (name: ArraySlice<UInt8>?, version: ArraySlice<UInt8>?)? {
        guard parts.count == segments.count else { return nil }
        var name: ArraySlice<UInt8>?
        var version: ArraySlice<UInt8>?
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let literal): guard part.elementsEqual(literal) else { return nil }
            case .name: name = part
            case .version: version = part
            }
        }
        return (name, version)
    }
}

/// The routes, and how a path finds its route.
struct RouteTable: Sendable {
    let routes: [Route]
    /// Routes without parameters, by path: found without splitting the path (the health and
    /// metrics routes are the most frequent requests).
    private let fixed: [String: Route]
    /// Routes with parameters, indexed by segment count: a path is compared with a few.
    private let parameterized: [[Route]]

    init(_ routes: [Route]) {
        self.routes = routes
        var fixed: [String: Route] = [:]
        var parameterized = [[Route]](repeating: [], count: (routes.map(\.segments.count).max() ?? 0) + 1)
        for route in routes {
            if route.segments.contains(where: { $0 == .name || $0 == .version }) {
                parameterized[route.segments.count].append(route)
            } else {
                fixed[route.template] = route
            }
        }
        self.fixed = fixed
        self.parameterized = parameterized
    }

    /// The route `path` names, with its raw parameters; nil for no route. An empty segment
    /// (`/v1/models/`, `/v2//x`) names no resource (the root `/` is the one path made of one).
    func find(_ path: String) -> (route: Route, name: String?, version: String?)? {
        if let route = fixed[path] { return (route, nil, nil) }
        let bytes = Array(path.utf8)
        guard bytes.first == UInt8(ascii: "/") else { return nil }
        let parts = bytes.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count < parameterized.count, !parts.contains(where: { $0.isEmpty }) else { return nil }
        for route in parameterized[parts.count] {
            if let (name, version) = route.match(parts) {
                return (route, name.map { String(decoding: $0, as: UTF8.self) }, version.map { String(decoding: $0, as: UTF8.self) })
            }
        }
        return nil
    }

    /// The label metrics use for `path`: its route's template, or `other`.
    func template(of path: String) -> String { find(path)?.route.template ?? "other" }
}
