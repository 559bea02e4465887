import Foundation
import TestSupport
import Testing

@testable import InferenceService

/// The document the binary embeds (`Resources/openapi.yaml`) is served.
@Suite struct OpenAPIDocumentTests {
    @Test func servedAsYAML() throws {
        let harness = try APIHarness()
        let result = harness.call("GET", "/openapi.yaml")
        #expect(result.status == 200)
        #expect(result.response.headers.first { $0.name == "Content-Type" }?.value == "application/yaml")
        #expect(result.response.body == OpenAPIDocument.bytes)
        #expect(String(decoding: result.response.body, as: UTF8.self).hasPrefix("openapi: 3."))
        let post = harness.call("POST", "/openapi.yaml")
        #expect(post.status == 405)
        #expect(post.json["code"] as? String == "method_not_allowed")
    }

    /// Every route of the route table is documented with each of its methods, and the
    /// document has no path the table lacks (a drift check; schemathesis checks the answers
    /// against the document on the real binary).
    @Test func everyRouteIsDocumentedWithItsMethods() throws {
        let lines = OpenAPIDocument.yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(of: "paths:") else { Issue.record("no paths: in openapi.yaml"); return }
        // `  /path:` opens a path; `    get:` (four spaces) is one of its operations.
        var documented: [String: Set<String>] = [:]
        var current: String?
        for line in lines[(start + 1)...] {
            if !line.hasPrefix(" ") && !line.isEmpty { break }
            if line.hasPrefix("  /") && line.hasSuffix(":") && !line.hasPrefix("   ") {
                current = String(line.dropFirst(2).dropLast())
                documented[current!] = []
            } else if let path = current, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                documented[path]!.insert(line.trimmingCharacters(in: .whitespaces).dropLast().uppercased())
            }
        }
        let routes = InferenceAPI.routeTable.routes
        #expect(routes.count >= 19)
        for route in routes {
            let methods = Set(route.allowed).subtracting(["HEAD"])
            #expect(
                documented[route.template].map { methods.isSubset(of: $0) } == true,
                "\(route.template) \(methods.sorted()) vs \(documented[route.template] ?? [])")
        }
        #expect(Set(documented.keys) == Set(routes.map(\.template)))
    }
}
