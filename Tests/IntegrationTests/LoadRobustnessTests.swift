import Foundation
import TestSupport
import Testing

/// Bounded versions of `scripts/robustness.sh`'s overload, slow-client and leak runs, driven by
/// `scripts/robustness/loadgen.py` against the real binary. They assert correctness only
/// (statuses, headers, the server alive and serving, memory bounded), never a time: the
/// figures (shed rate, latencies, the p99 ratio, RSS growth) are the script's to print.
@Suite struct LoadRobustnessTests {
    /// Runs a loadgen mode and returns its JSON figures.
    static func loadgen(_ mode: String, server: ServerProcess, _ arguments: [String]) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPython.path ?? "/usr/bin/python3")
        process.arguments =
            [
                Repository.root.appendingPathComponent("scripts/robustness/loadgen.py").path, mode,
                "--port", String(server.port), "--pid", String(server.process.processIdentifier),
            ] + arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let figures = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        #expect(process.terminationStatus == 0 && figures["error"] == nil, "loadgen \(mode): \(String(decoding: data, as: UTF8.self))")
        return figures
    }

    @Test func overloadShedsWith503AndRetryAfterThenServesNormally() throws {
        // One worker and a queue of two: 4× capacity must be shed.
        let server = try ServerProcess(arguments: ["--workers", "1", "--set", "queue_depth=2"])
        defer { server.stop() }
        let figures = try Self.loadgen(
            "overload", server: server, ["--seconds", "3", "--capacity-seconds", "1.5", "--after-requests", "20"])
        let statuses = figures["statuses"] as? [String: Int] ?? [:]
        #expect(Set(statuses.keys).isSubset(of: ["200", "503"]), "only 200 and 503 under overload: \(statuses)")
        #expect((statuses["503"] ?? 0) > 0, "4× capacity is shed: \(figures)")
        #expect(figures["missing_retry_after"] as? Int == 0, "every 503 has Retry-After")
        #expect(figures["bad_503_body"] as? Int == 0, "every 503 has the JSON error with code overloaded")
        #expect(figures["connection_errors"] as? Int == 0)
        #expect(figures["after_ok"] as? Int == 20, "serves normally once the load drops: \(figures["after_statuses"] ?? "?")")
        #expect(figures["heavy_after_status"] as? Int == 200)
        #expect((figures["rss_peak"] as? Int ?? 0) < 1 << 30, "RSS bounded")
        #expect(server.process.isRunning)
    }

    @Test func slowAndNonReadingClientsDoNotStarveANormalClient() throws {
        // A short head timeout so the slow clients are answered 408 within the test.
        let server = try ServerProcess(arguments: ["--set", "header_read_timeout_s=2", "--set", "write_timeout_s=5"])
        defer { server.stop() }
        let figures = try Self.loadgen(
            "slow", server: server, ["--slow", "100", "--nonreaders", "100", "--requests", "150", "--ramp", "2"])
        #expect(figures["normal_statuses"] as? [String: Int] == ["200": 150], "\(figures)")
        #expect(figures["normal_error"] is NSNull, "\(figures)")
        #expect(figures["after_ok"] as? Int == 20)
        let opened = figures["opened"] as? [String: Int] ?? [:]
        #expect(opened["slow"] ?? 0 >= 100 && opened["nonreaders"] == 100, "\(opened)")
        #expect((figures["rss_loaded"] as? Int ?? 0) < 1 << 30, "RSS bounded")
        #expect(server.process.isRunning)
    }

    @Test func mixedRequestsKeepMemoryBounded() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let figures = try Self.loadgen("leak", server: server, ["--requests", "8000", "--warmup", "3000"])
        #expect((figures["unexpected"] as? [String: Int])?.isEmpty == true, "every request got its expected status: \(figures)")
        let before = figures["rss_before"] as? Int ?? 0
        let after = figures["rss_after"] as? Int ?? 0
        // AddressSanitizer keeps freed memory in quarantine (256 MiB): RSS says nothing there.
        if ProcessInfo.processInfo.environment["DENSE_SANITIZER"] != "address" {
            #expect(before > 0 && after < before + (64 << 20), "RSS \(before >> 20) → \(after >> 20) MiB")
        }
        #expect(server.process.isRunning)
    }
}
