import Foundation
import HTTPCore
import TestSupport
import Testing

@testable import InferenceService

/// The page the binary embeds (`Resources/index.html`) is served at `/` as HTML with
/// headers that let it load nothing from outside this server. (A real browser drives it in
/// IntegrationTests/BrowserPageTests.)
@Suite struct BrowserPageTests {
    static var page: String {
        get throws {
            try String(contentsOf: Repository.root.appendingPathComponent("Sources/InferenceService/Resources/index.html"), encoding: .utf8)
        }
    }

    static func header(_ name: String, _ response: HTTPResponse) -> String? {
        response.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Issue 16: the page and its script stay small (one file, no library).
    @Test func pageIsAtMost200KB() {
        #expect(BrowserPage.bytes.count <= 200 * 1024, "index.html is \(BrowserPage.bytes.count) bytes")
    }

    /// No URL of another origin anywhere in the page: no CDN, font, script or image.
    @Test func pageNamesNoOtherOrigin() throws {
        let page = try Self.page
        for pattern in ["http://", "https://", "src=\"//", "href=\"//", "@import", "<iframe", "<object", "<embed"] {
            #expect(!page.contains(pattern), "index.html contains \(pattern)")
        }
        // `url(…)` only for the SVG's own markers (`url(#arrow-0)`).
        #expect(page.components(separatedBy: "url(").dropFirst().allSatisfy { $0.hasPrefix("#") })
    }

    @Test func servedAsHTMLWithAStrictPolicy() throws {
        let harness = try APIHarness()
        let result = harness.call("GET", "/")
        #expect(result.status == 200)
        #expect(Self.header("Content-Type", result.response) == "text/html; charset=utf-8")
        #expect(result.response.body == BrowserPage.bytes)
        #expect(String(decoding: result.response.body, as: UTF8.self).hasPrefix("<!doctype html>"))
        #expect(Self.header("X-Content-Type-Options", result.response) == "nosniff")
        let policy = try #require(Self.header("Content-Security-Policy", result.response))
        let directives = Set(policy.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(directives.contains("default-src 'none'"))
        #expect(directives.contains("connect-src 'self'"))
        #expect(directives.contains("script-src 'unsafe-inline'"))
    }

    @Test func headIsAllowedAndOtherMethodsAre405() throws {
        let harness = try APIHarness()
        #expect(harness.call("HEAD", "/").status == 200)
        let post = harness.call("POST", "/", "{}")
        #expect(post.status == 405)
        #expect(post.json["code"] as? String == "method_not_allowed")
        #expect(Self.header("Allow", post.response)?.contains("GET") == true)
    }

    /// `//` is still an empty segment that names nothing; the page is only at `/`.
    @Test func onlyTheRootIsThePage() throws {
        let harness = try APIHarness()
        #expect(harness.call("GET", "//").status == 404)
        #expect(harness.call("GET", "/index.html").status == 404)
    }

    @Test func metricsLabelTheRootAsItself() {
        #expect(InferenceAPI.routeTemplate("/") == "/")
    }
}
