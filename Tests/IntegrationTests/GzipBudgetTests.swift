import Foundation
import Testing

/// Regression (audit finding 2): gzip bodies bypassed the request-byte budget. With
/// `max_buffered_request_bytes` at 1 MiB, 10 gzip requests (653 KB on the wire) took RSS from
/// 25 to 781 MiB, because only the raw bytes were counted and every body over 16 KiB was
/// inflated at once on the global queue. Now the compressed and the inflated bytes are reserved
/// against the budget until the response is queued, and large bodies inflate on one serial
/// queue per core. Driven by `scripts/robustness/loadgen.py gzip` (robustness.sh runs it at scale).
@Suite struct GzipBudgetTests {
    @Test func tenGzipBombsStayWithinAOneMiBBudget() throws {
        let server = try ServerProcess(arguments: ["--set", "max_buffered_request_bytes=1048576"])
        defer { server.stop() }
        let figures = try LoadRobustnessTests.loadgen(
            "gzip", server: server, ["--connections", "10", "--inflated-mib", "60"])
        #expect(figures["statuses"] as? [String: Int] == ["503": 10], "every bomb is past the budget once inflated: \(figures)")
        #expect(figures["connection_errors"] as? Int == 0)
        #expect(figures["after_status"] as? Int == 200, "a small gzip request is served afterwards: \(figures)")
        // AddressSanitizer's quarantine and shadow memory make RSS meaningless under it.
        if ProcessInfo.processInfo.environment["DENSE_SANITIZER"] != "address" {
            let before = figures["rss_before"] as? Int ?? 0
            let peak = figures["rss_peak"] as? Int ?? .max
            #expect(peak < before + (64 << 20), "RSS \(before >> 20) → \(peak >> 20) MiB")
        }
        #expect(server.process.isRunning)
    }
}
