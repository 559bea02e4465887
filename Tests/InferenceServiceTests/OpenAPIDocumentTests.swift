import Foundation
import Testing

@testable import InferenceService

/// The document the binary serves is `openapi.yaml` byte for byte, and it is served.
@Suite struct OpenAPIDocumentTests {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func embeddedCopyEqualsTheFile() throws {
        let file = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        // When this fails: run scripts/embed-openapi.py after editing openapi.yaml.
        #expect(OpenAPIDocument.yaml == file)
        #expect(OpenAPIDocument.bytes == Array(file.utf8))
    }

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

    /// Every route the API answers is documented (a drift check; schemathesis checks the
    /// answers against the document on the real binary).
    @Test func everyNativeRouteIsDocumented() {
        for path in [
            "/", "/healthz", "/openapi.yaml", "/v1/dense", "/v1/models", "/v1/models/{name}", "/v1/models/{name}/predict",
            "/v1/models/{name}/versions/{version}/predict", "/v2/health/live", "/v2/health/ready",
        ] {
            #expect(OpenAPIDocument.yaml.contains("\n  \(path):\n"), "openapi.yaml lacks \(path)")
        }
    }
}
