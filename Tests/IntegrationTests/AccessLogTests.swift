import Foundation
import Glibc
import TestSupport
import Testing

@testable import DenseServer

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The access log (issue 12): one line per response, formatted straight into a bounded buffer
/// and written off the request path; nothing lost at shutdown; dropped (and counted) rather
/// than waited for when standard error cannot keep up.
@Suite struct AccessLogTests {
    /// `request` lines at info level, fields in name order, as text and as JSON.
    @Test(arguments: ["text", "json"])
    func everyResponseHasOneLineWithItsFields(format: String) async throws {
        let server = try ServerProcess(arguments: ["--log-level", "info", "--log-format", format])
        let health = try await Client.call(
            "GET", server.baseURL + "/v2/health/live", headers: ["X-Request-Id": "audit-1"])
        #expect(health.status == 200)
        let missing = try await Client.call("GET", server.baseURL + "/v1/models/nothing")
        #expect(missing.status == 404)
        #expect(server.stop() == 0)
        let lines = server.stderr.split(separator: "\n").filter { $0.contains("request") && $0.contains("bytes_in") }
        #expect(lines.count == 2, "\(server.stderr)")
        if format == "text" {
            let first = try #require(lines.first.map(String.init))
            let pattern =
                #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info dense-server: request bytes_in=\d+ bytes_out=\d+ duration_ms=\d+\.\d{3} method=GET path=/v2/health/live request_id=audit-1 status=200$/#
            #expect(first.wholeMatch(of: pattern) != nil, "\(first)")
            let missingID = missing.headers["x-request-id"] ?? "?"
            #expect(lines.last?.hasSuffix("path=/v1/models/nothing request_id=\(missingID) status=404") == true)
        } else {
            let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
            #expect(objects.count == 2, "every line is a JSON object of strings: \(lines)")
            let first = objects.first ?? [:]
            #expect(first["msg"] == "request" && first["level"] == "info" && first["logger"] == "dense-server")
            #expect(first["method"] == "GET" && first["path"] == "/v2/health/live" && first["status"] == "200")
            #expect(first["request_id"] == "audit-1" && Int(first["bytes_out"] ?? "") ?? 0 > 0)
            #expect(first["duration_ms"]?.wholeMatch(of: #/\d+\.\d{3}/#) != nil)
            #expect(first["ts"]?.wholeMatch(of: #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/#) != nil)
        }
    }

    /// Lines buffered when SIGTERM arrives are written before the process exits.
    @Test func nothingIsLostAtShutdown() async throws {
        let server = try ServerProcess(arguments: ["--log-level", "info"])
        let client = try RawClient(port: server.port)
        let count = 300
        var answered = 0
        while answered < count {
            client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            guard client.readResponse()?.status == 200 else { break }
            answered += 1
        }
        #expect(answered == count)
        #expect(server.stop() == 0)
        let lines = server.stderr.split(separator: "\n").filter { $0.contains(": request ") && $0.contains("path=/healthz") }
        #expect(lines.count == count)
        #expect(server.stderr.split(separator: "\n").last?.contains("stopped") == true, "\(server.stderr.suffix(300))")
    }

    /// A reader that cannot keep up (a pipe nobody reads): appends never wait, what does not fit
    /// is dropped and counted, and the count is reported once writing catches up.
    @Test func aFullSinkDropsAndCountsInsteadOfBlocking() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer {
            close(fds[0])
            close(fds[1])
        }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        let sink = LogSink(fd: fds[1], capacity: 8 << 10, flushDelay: .seconds(3600))
        let line = Array(String(repeating: "x", count: 99).utf8) + [0x0A]
        for _ in 0..<1000 { sink.append(maxBytes: line.count) { $0.append(contentsOf: line) } }
        // 8 KiB hold 81 lines of 100 bytes; the other 919 are dropped, none waited for.
        #expect(sink.droppedLines == 1000 - (8 << 10) / 100)
        sink.flush()
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            received += chunk[0..<n]
        }
        let text = String(decoding: received, as: UTF8.self)
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("xxx") }.count == (8 << 10) / 100)
        #expect(text.contains("access log: dropped 919 lines"), "\(text.suffix(200))")
    }

    /// The digits the formatter writes by hand are the ones `String(format:)` writes (away
    /// from exact ties of the fourth decimal, where the two may round apart by one).
    @Test func numbersAreFormattedAsBefore() {
        for seconds in [0, 0.000_000_4, 0.000_000_6, 0.001_234_4, 0.012_345_6, 1.5, 123.456_789_1, 86_400] {
            var out: [UInt8] = []
            AccessLogFormatter.appendMilliseconds(seconds, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(format: "%.3f", seconds * 1000), "\(seconds)")
        }
        for value in [0, 7, 10, 99_999, Int.max, -1, Int.min] {
            var out: [UInt8] = []
            AccessLogFormatter.appendDecimal(value, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(value))
        }
        #expect(LineLogHandler.timestamp().wholeMatch(of: #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/#) != nil)
    }
}

/// Generated request ids: 32 lowercase hex digits, never repeated within a process, drawn
/// without a system call per request.
@Suite struct RequestIDTests {
    /// The log timestamp's calendar arithmetic against glibc's `gmtime_r`: every day from
    /// 1970 to 2200 (at a changing second of the day) and the leap-year edges.
    @Test func timestampsMatchGmtime() {
        var probes = Array(stride(from: 0, to: 230 * 366 * 86_400, by: 86_400 + 3_607))
        for (year, month, day) in [(2000, 2, 29), (2000, 3, 1), (2100, 2, 28), (2100, 3, 1), (2024, 12, 31), (1999, 12, 31)] {
            var parts = tm()
            parts.tm_year = Int32(year - 1900)
            parts.tm_mon = Int32(month - 1)
            parts.tm_mday = Int32(day)
            parts.tm_hour = 23
            parts.tm_min = 59
            parts.tm_sec = 59
            probes.append(timegm(&parts))
        }
        for seconds in probes {
            var t = time_t(seconds)
            var parts = tm()
            gmtime_r(&t, &parts)
            let expected = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d.042Z", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                parts.tm_hour, parts.tm_min, parts.tm_sec)
            var out: [UInt8] = []
            LineLogHandler.appendTimestamp(seconds: seconds, milliseconds: 42, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == expected, "\(seconds)")
        }
    }

    @Test func generatedIDsAreHexAndUnique() {
        let ids = (0..<20_000).map { _ in Service.newRequestID() }
        #expect(ids.allSatisfy { $0.utf8.count == 32 && $0.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) } })
        #expect(Set(ids).count == ids.count)
        #expect(Set(ids.map { $0.prefix(16) }).count == 1, "one random half per process")
        #expect(Service.validRequestID(ids[0]) == ids[0])
    }
}
