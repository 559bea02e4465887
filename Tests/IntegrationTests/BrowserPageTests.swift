import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The page at `/` on the real binary: its headers over HTTP, and a real headless browser
/// (Debian's `chromium` + `chromium-driver`, driven by selenium from `.venv-test`) running
/// `Tests/Browser/browser_page_test.py` against it (issue 16).
///
/// `scripts/ensure-deps.sh --test` installs the browser and `scripts/test-env.sh` selenium.
/// Without them the browser test is skipped with the reason, except under CI (`CI` set),
/// where it fails. Screenshots are kept in `.build/test-artifacts/` (git-ignored).
@Suite struct BrowserPageTests {
    static func onPath(_ name: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }

    /// Why the browser test cannot run here, or nil when it can.
    static let missing: String? = {
        guard onPath("chromium") || onPath("chromium-browser") else { return "no chromium (apt-get install chromium)" }
        guard onPath("chromedriver") else { return "no chromedriver (apt-get install chromium-driver)" }
        guard let python = TestPython.path else { return "no test Python (scripts/test-env.sh creates .venv-test)" }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: python)
        probe.arguments = ["-c", "import selenium"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return "cannot run \(python)" }
        probe.waitUntilExit()
        return probe.terminationStatus == 0 ? nil : "no selenium in \(python) (scripts/test-env.sh installs it)"
    }()

    static var required: Bool { missing == nil || ProcessInfo.processInfo.environment["CI"] != nil }

    @Test func pageIsServedWithItsPolicyOverHTTP() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let page = try await Client.call("GET", server.baseURL + "/", headers: [:])
        #expect(page.status == 200)
        #expect(page.headers["content-type"] == "text/html; charset=utf-8")
        #expect(page.headers["x-content-type-options"] == "nosniff")
        #expect(page.headers["content-security-policy"]?.hasPrefix("default-src 'none';") == true)
        #expect(page.text.hasPrefix("<!doctype html>"))
        #expect(page.text.contains("What a Dense layer does"))
    }

    @Test(
        .enabled(if: required, "needs chromium, chromium-driver and selenium: run scripts/test.sh (installs them)"),
        .timeLimit(.minutes(5)))
    func pageWorksInARealBrowser() throws {
        if let missing = Self.missing { Issue.record("browser test cannot run under CI: \(missing)") }
        let python = try #require(TestPython.path)
        let server = try ServerProcess(seedModels: true)  // the "seed" model is the registered one the test picks
        defer { server.stop() }
        let artifacts = Repository.root.appendingPathComponent(".build/test-artifacts").path
        let log = NSTemporaryDirectory() + "browser-page-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: log) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Repository.root.appendingPathComponent("Tests/Browser/browser_page_test.py").path, server.baseURL, artifacts]
        process.standardOutput = output
        process.standardError = output
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        if finished.wait(timeout: .now() + 240) == .timedOut {
            process.terminate()
            finished.wait()
        }
        try? output.close()
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 0, "browser_page_test.py failed:\n\(text)\nserver stderr:\n\(server.stderr)")
        #expect(text.hasSuffix("ok\n"), "\(text)")
        // The measured time to first picture, for the log (reported, never asserted).
        for line in text.split(separator: "\n") where line.hasPrefix("timing") { print("BrowserPageTests: \(line)") }
        #expect(FileManager.default.fileExists(atPath: artifacts + "/browser-page.png"))
    }
}
