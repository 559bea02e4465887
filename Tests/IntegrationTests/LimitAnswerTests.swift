import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Every 413 (and 414/431) of the real binary names the limit it hit, its value and the
/// setting that raises it (config key, `DENSE_*` variable, `--set`), in the API's JSON error
/// body plus `"limit"` and `"limit_value"`; and raising that setting lets the request through.
/// (Issue 15: a 16.8M-parameter model as JSON lists, 377 MB, got a bare 413.)
@Suite struct LimitAnswerTests {
    static func json(_ body: [UInt8]) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    /// The answer names `key`, its value, `DENSE_<KEY>` and `--set key=`.
    static func expectNames(_ body: [String: Any], key: String, value: Int, code: String, _ label: String) {
        #expect(body["code"] as? String == code, "\(label): \(body)")
        #expect(body["limit"] as? String == key, "\(label): \(body)")
        #expect(body["limit_value"] as? Int == value, "\(label): \(body)")
        let message = body["error"] as? String ?? ""
        for fragment in [key, String(value), "DENSE_\(key.uppercased())", "--set \(key)="] {
            #expect(message.contains(fragment), "\(label): \(fragment) missing in \(message)")
        }
    }

    @Test func transportLimitsNameTheirSettings() throws {
        let server = try ServerProcess(arguments: [
            "--set", "max_body_bytes=100000", "--set", "max_inflated_body_bytes=200000", "--set", "max_header_count=20",
            "--set", "max_request_line_bytes=2048",
        ])
        defer { server.stop() }
        // A model PUT far past the body limit, decided from Content-Length before any body byte.
        let big = try RawClient(port: server.port)
        big.send("PUT /v1/models/big HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 377000000\r\n\r\n")
        let declared = try #require(big.readResponse())
        #expect(declared.status == 413)
        Self.expectNames(Self.json(declared.body), key: "max_body_bytes", value: 100000, code: "body_too_large", "Content-Length")

        // Chunked: the sum of chunk sizes is capped by the same setting.
        let chunked = try RawClient(port: server.port)
        chunked.send("PUT /v1/models/big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n30000\r\n")
        let chunk = try #require(chunked.readResponse())
        #expect(chunk.status == 413)
        Self.expectNames(Self.json(chunk.body), key: "max_body_bytes", value: 100000, code: "chunked_body_too_large", "chunked")

        // gzip that inflates past max_inflated_body_bytes.
        let bomb = try Self.gzip(count: 1 << 20)
        let inflated = try RawClient(port: server.port)
        inflated.send(
            "POST /v1/dense HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: \(bomb.count)\r\n\r\n")
        inflated.send(bomb)
        let inflatedAnswer = try #require(inflated.readResponse())
        #expect(inflatedAnswer.status == 413)
        Self.expectNames(
            Self.json(inflatedAnswer.body), key: "max_inflated_body_bytes", value: 200000, code: "inflated_body_too_large", "gzip")

        // 431 and 414 name theirs too.
        let headers = try RawClient(port: server.port)
        headers.send("GET /healthz HTTP/1.1\r\nHost: x\r\n" + (0..<30).map { "X-\($0): a\r\n" }.joined() + "\r\n")
        let headersAnswer = try #require(headers.readResponse())
        #expect(headersAnswer.status == 431)
        Self.expectNames(Self.json(headersAnswer.body), key: "max_header_count", value: 20, code: "too_many_headers", "headers")
        let line = try RawClient(port: server.port)
        line.send("GET /\(String(repeating: "a", count: 3000)) HTTP/1.1\r\nHost: x\r\n\r\n")
        let lineAnswer = try #require(line.readResponse())
        #expect(lineAnswer.status == 414)
        Self.expectNames(
            Self.json(lineAnswer.body), key: "max_request_line_bytes", value: 2048, code: "request_line_too_long", "request line")
    }

    /// A model as JSON lists with more values than `max_json_values`: 413 naming it; the same
    /// PUT passes once the setting is raised (through its `DENSE_*` variable).
    @Test func jsonValueLimitNamesItsSettingAndRaisingItWorks() async throws {
        let kernel =
            "["
            + (0..<40).map { row in "[" + (0..<50).map { "\(Double(($0 + row) % 7) / 8)" }.joined(separator: ",") + "]" }
            .joined(separator: ",") + "]"
        let body = #"{"layer": {"units": 50, "kernel": \#(kernel)}}"#
        do {
            let server = try ServerProcess(arguments: ["--set", "max_json_values=1000"])
            defer { server.stop() }
            let put = try await Client.call("PUT", server.baseURL + "/v1/models/m", json: body)
            #expect(put.status == 413)
            Self.expectNames(put.json, key: "max_json_values", value: 1000, code: "too_large", "JSON values")
        }
        let server = try ServerProcess(environment: ["DENSE_MAX_JSON_VALUES": "100000"])
        defer { server.stop() }
        let put = try await Client.call("PUT", server.baseURL + "/v1/models/m", json: body)
        #expect(put.status == 201, "\(put.text)")
    }

    /// `count` spaces gzipped (level 6) by Python's `gzip`: a body that inflates `count` bytes
    /// from a small fraction of them (HostileInputTests' bomb too).
    static func gzip(count: Int) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import gzip,sys; sys.stdout.buffer.write(gzip.compress(b' ' * \(count), 6))"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }
}
