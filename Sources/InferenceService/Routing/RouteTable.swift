import HTTPCore

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
    typealias Respond = @Sendable (HTTPResponse) -> Void
    typealias Handler =
        @Sendable (InferenceAPI, HTTPRequest, RequestContext, RouteParameters, @escaping Respond) throws(ServiceError) -> Void

    /// One segment of a template. A struct, not an enum with an array in each case: a
    /// multi-payload enum keeps its tag in the array pointer's spare bits, where
    /// LeakSanitizer cannot see the pointer, and reported the route table's bytes as leaked.
    struct Segment: Sendable, Equatable {
        enum Kind: Sendable, Equatable {
            /// A fixed segment: ``bytes`` are its UTF-8 bytes (compared byte for byte: paths are ASCII).
            case literal
            /// `{name}`, then ``bytes`` in the same segment: empty for a plain `{name}`, `:predict`
            /// for TF Serving's `{name}:predict` (a method in the model's own segment). The
            /// parameter is what precedes the suffix; it must not be empty.
            case name
            /// `{version}`, then ``bytes`` as for ``name``.
            case version
        }

        let kind: Kind
        /// The literal's bytes, or the suffix after a parameter.
        let bytes: [UInt8]

        var isParameter: Bool { kind != .literal }

        /// Bytes a path segment must end with besides the parameter (0 for a literal).
        var suffixCount: Int { kind == .literal ? 0 : bytes.count }
    }

    /// The path template, e.g. `/v1/models/{name}/predict` or `/v1/models/{name}:predict`.
    let template: String
    let segments: [Segment]
    /// The methods in the order `Allow` lists them, with their handlers.
    let methods: [(method: String, handler: Handler)]

    /// A route at `template` answering `methods` (`GET` brings `HEAD` with the same handler).
    init(_ template: String, _ methods: [(String, Handler)]) {
        self.template = template
        segments = template.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            if part.hasPrefix("{name}") { return Segment(kind: .name, bytes: Array(part.dropFirst("{name}".count).utf8)) }
            if part.hasPrefix("{version}") { return Segment(kind: .version, bytes: Array(part.dropFirst("{version}".count).utf8)) }
            return Segment(kind: .literal, bytes: Array(part.utf8))
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
            switch segment.kind {
            case .literal: guard part.elementsEqual(segment.bytes) else { return nil }
            case .name:
                guard let parameter = Self.parameter(part, before: segment.bytes) else { return nil }
                name = parameter
            case .version:
                guard let parameter = Self.parameter(part, before: segment.bytes) else { return nil }
                version = parameter
            }
        }
        return (name, version)
    }

    /// `part` without `suffix` when it ends with it and something precedes it; else nil.
    private static func parameter(_ part: ArraySlice<UInt8>, before suffix: [UInt8]) -> ArraySlice<UInt8>? {
        guard part.count > suffix.count, part.suffix(suffix.count).elementsEqual(suffix) else { return nil }
        return part.dropLast(suffix.count)
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
            if route.segments.contains(where: \.isParameter) {
                parameterized[route.segments.count].append(route)
            } else {
                fixed[route.template] = route
            }
        }
        self.fixed = fixed
        // A parameter with a suffix is tried before a bare one in the same place, so that
        // `/v1/models/m:predict` finds `{name}:predict` rather than `{name}` with the name
        // `m:predict` (which the name rule would refuse: `:` is never in a model name).
        self.parameterized = parameterized.map { bucket in
            let suffixed = bucket.filter { $0.segments.contains { $0.suffixCount > 0 } }
            return suffixed + bucket.filter { !$0.segments.contains { $0.suffixCount > 0 } }
        }
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
