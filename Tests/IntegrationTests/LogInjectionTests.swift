import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Issue 11, finding 10: client strings in text-format logs are escaped, so a JSON key with a
/// newline cannot forge a log line (it reached the debug line of a rejected request).
@Suite struct LogInjectionTests {
    @Test func aNewlineInAClientStringCannotStartALogLine() async throws {
        let server = try ServerProcess(arguments: ["--log-level", "debug", "--log-format", "text"])
        defer { server.stop() }
        let body = #"{"layer": {"units": 1, "x\n2026-01-01T00:00:00.000Z critical dense-server: forged\r\u001b[2J": 1}, "input": [1]}"#
        let result = try await Client.call("POST", server.baseURL + "/v1/dense", json: body)
        #expect(result.status == 400, "\(result.text)")
        // The rejection is logged (debug) before the response is sent; the access line after it.
        let health = try await Client.call("GET", server.baseURL + "/v2/health/live")
        #expect(health.status == 200)
        var stderr = ""
        for _ in 0..<50 {
            stderr = server.stderr
            if stderr.contains("request rejected") && stderr.contains("/v2/health/live") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(stderr.contains("request rejected"), "\(stderr)")
        #expect(stderr.contains(#"x\n2026-01-01"#), "the key is logged escaped: \(stderr)")
        for line in stderr.split(separator: "\n", omittingEmptySubsequences: true) {
            #expect(!line.contains("critical dense-server: forged") || line.contains("request rejected"), "forged line: \(line)")
            #expect(line.first?.isNumber == true, "a line that is not a log record: \(line)")
            #expect(!line.contains("\u{1B}") && !line.contains("\r"), "a raw control character: \(line)")
        }
    }
}
