import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The Python interpreter with the test tooling (`scripts/test.sh` creates `.venv-test`).
enum TestPython {
    static var path: String? {
        if let explicit = ProcessInfo.processInfo.environment["DENSE_TEST_PYTHON"] { return explicit }
        let local = ConfigurationDocsTests.root.appendingPathComponent(".venv-test/bin/python").path
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
            print('ok')
            """
        let (status, output) = try TestPython.run(script, input: metrics.body)
        #expect(status == 0, "\(output)\n\(metrics.text)")
    }
}
