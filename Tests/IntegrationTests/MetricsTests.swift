import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The Python interpreter with the test tooling (`scripts/test.sh` creates `.venv-test`).
enum TestPython {
    static var path: String? {
        if let explicit = ProcessInfo.processInfo.environment["DENSE_TEST_PYTHON"] { return explicit }
        let local = Repository.root.appendingPathComponent(".venv-test/bin/python").path
        return FileManager.default.isExecutableFile(atPath: local) ? local : nil
    }

    /// Runs a Python script with `input` on stdin; returns (status, stdout + stderr).
    static func run(_ script: String, input: Data = Data(), arguments: [String] = []) throws -> (Int32, String) {
        guard let path else { throw Missing() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-c", script] + arguments
        let stdin = Pipe()
        let out = Pipe()
        process.standardInput = stdin
        process.standardOutput = out
        process.standardError = out
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String { "no test Python: run scripts/test.sh (it creates .venv-test) or set DENSE_TEST_PYTHON" }
    }
}

@Suite struct MetricsTests {
    @Test func metricsParseWithTheRealPrometheusParser() async throws {
        let server = try ServerProcess(seedModels: true)
        defer { server.stop() }
        _ = try await Client.call("GET", server.baseURL + "/v2/health/ready")
        _ = try await Client.call("POST", server.baseURL + "/v1/dense", json: #"{"layer": {"units": 2}, "input": [[1, 2]]}"#)
        _ = try await Client.call("POST", server.baseURL + "/v1/dense", json: #"{"layer": {"units": 2}, "input": [[1, 2], [3]]}"#)
        _ = try await Client.call("GET", server.baseURL + "/v1/models/seed")
        let metrics = try await Client.call("GET", server.baseURL + "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
        let script = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            families = {f.name: f for f in text_string_to_metric_families(sys.stdin.read())}
            def samples(name):
                return families[name].samples
            reqs = samples('denseserve_http_requests')
            ok = [s for s in reqs if s.labels.get('route') == '/v1/dense' and s.labels.get('status') == '200' and s.name.endswith('_total')]
            bad = [s for s in reqs if s.labels.get('route') == '/v1/dense' and s.labels.get('status') == '422' and s.name.endswith('_total')]
            model = [s for s in reqs if s.labels.get('route') == '/v1/models/{name}']
            assert ok and ok[0].value == 1, ok
            assert bad and bad[0].value == 1, bad
            assert model, 'model routes use a template label'
            for name in ['denseserve_http_request_duration_seconds', 'denseserve_compute_duration_seconds', 'denseserve_batch_rows',
                         'denseserve_queue_depth', 'denseserve_in_flight_requests', 'denseserve_models_loaded',
                         'denseserve_http_request_bytes', 'denseserve_http_response_bytes', 'denseserve_ready']:
                assert name in families, name
            assert samples('denseserve_models_loaded')[0].value == 1
            assert samples('denseserve_ready')[0].value == 1
            compute = [s for s in samples('denseserve_compute_duration_seconds') if s.name.endswith('_count')]
            assert compute[0].value == 1, compute
            undocumented = [n for n, f in families.items() if n.startswith('denseserve_') and not f.documentation]
            assert not undocumented, f'no HELP text: {undocumented}'
            print('ok')
            """
        let (status, output) = try TestPython.run(script, input: metrics.body)
        #expect(status == 0, "\(output)\n\(metrics.text)")
    }
}

/// A gRPC call's outcome travels in `grpc-status` with HTTP/2 status 200, so `/metrics` counts
/// calls by route and grpc-status, and the access line carries `grpc_status`.
@Suite struct GRPCCallMetricsTests {
    static let curl = "/usr/bin/curl"

    /// One gRPC call through curl (`--http2-prior-knowledge`); answers the `grpc-status` it got.
    static func call(_ method: String, message: [UInt8], baseURL: String) throws -> String? {
        let body = FileManager.default.temporaryDirectory.appendingPathComponent("grpc-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: body) }
        let count = UInt32(message.count)
        let framed = [0, UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)] + message
        try Data(framed).write(to: body)
        let result = try ToolProcess.run(
            curl,
            [
                "-s", "--http2-prior-knowledge", "-H", "content-type: application/grpc", "-H", "te: trailers",
                "--data-binary", "@\(body.path)", "-D", "-", "-o", "/dev/null",
                "\(baseURL)/inference.GRPCInferenceService/\(method)",
            ], timeout: 30, mergingOutput: true)
        return result.output.split(whereSeparator: \.isNewline)
            .first { $0.lowercased().hasPrefix("grpc-status:") }
            .map { $0.dropFirst("grpc-status:".count).trimmingCharacters(in: .whitespaces) }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: curl), "needs /usr/bin/curl"))
    func callsAreCountedByGRPCStatus() async throws {
        let server = try ServerProcess(arguments: ["--log-level", "info"], seedModels: true)
        defer { server.stop() }
        #expect(try Self.call("ServerLive", message: [], baseURL: server.baseURL) == "0")
        #expect(try Self.call("ServerLive", message: [], baseURL: server.baseURL) == "0")
        // ModelMetadataRequest { name: "nope" }: field 1, length-delimited; an unknown model.
        #expect(try Self.call("ModelMetadata", message: [0x0A, 4] + Array("nope".utf8), baseURL: server.baseURL) == "5")
        let metrics = try await Client.call("GET", server.baseURL + "/metrics")
        let script = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            families = {f.name: f for f in text_string_to_metric_families(sys.stdin.read())}
            calls = {(s.labels['route'], s.labels['grpc_status']): s.value
                     for s in families['denseserve_grpc_calls'].samples if s.name.endswith('_total')}
            assert calls == {('/inference.GRPCInferenceService/ServerLive', 'OK'): 2,
                             ('/inference.GRPCInferenceService/ModelMetadata', 'NOT_FOUND'): 1}, calls
            print('ok')
            """
        let (status, output) = try TestPython.run(script, input: metrics.body)
        #expect(status == 0, "\(output)\n\(metrics.text)")
        // The access line of each call names its grpc-status; REST lines carry none.
        // Access lines are written off the request path: wait up to 10 s for the line.
        var lines = server.stderr
        for _ in 0..<100 where !lines.contains("path=/inference.GRPCInferenceService/ModelMetadata") {
            try await Task.sleep(for: .milliseconds(100))
            lines = server.stderr
        }
        let metadata = lines.split(separator: "\n").filter { $0.contains("path=/inference.GRPCInferenceService/ModelMetadata") }
        #expect(metadata.count == 1 && metadata[0].contains(" grpc_status=5 ") && metadata[0].contains(" status=200"), "\(metadata)")
        let metricsLines = lines.split(separator: "\n").filter { $0.contains("path=/metrics") }
        #expect(metricsLines.allSatisfy { !$0.contains("grpc_status") }, "\(metricsLines)")
    }
}
