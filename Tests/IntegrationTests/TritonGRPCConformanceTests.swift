import Foundation
import TestSupport
import Testing

/// The real `tritonclient.grpc` and grpcio (Python) against the real binary over HTTP/2: any
/// KServe V2 gRPC client must work unchanged, with answers bitwise equal to the REST route's.
/// The checks live in `Tests/V2Conformance/tritonclient_grpc_conformance.py`; it ends by
/// sending the server SIGTERM and watching the health service say NOT_SERVING while it drains,
/// so the server must then exit 0.
///
/// The Python is the one `TritonClientConformanceTests` uses (`.venv-triton`, which
/// `scripts/test-env.sh` gives tritonclient[grpc] and grpcio-health-checking); skipped without
/// it, except under CI, where it fails.
@Suite struct TritonGRPCConformanceTests {
    @Test(.enabled(if: TritonClientConformanceTests.required, "needs .venv-triton: run scripts/test.sh"))
    func tritonclientGRPCWorksUnchanged() throws {
        let python = try #require(TritonClientConformanceTests.python, "no Python with tritonclient: scripts/test.sh creates .venv-triton")
        let server = try ServerProcess(arguments: ["--set", "drain_grace_s=3"])
        defer { server.stop() }
        let script = Repository.root.appendingPathComponent("Tests/V2Conformance/tritonclient_grpc_conformance.py")
        let result = try ToolProcess.run(
            python, [script.path, "127.0.0.1:\(server.port)", String(server.process.processIdentifier)], timeout: 300,
            mergingOutput: true)
        #expect(result.status == 0, "tritonclient.grpc conformance failed:\n\(result.output)\nserver log:\n\(server.stderr)")
        #expect(result.output.contains("ok:"), "\(result.output)")
        // The script's SIGTERM: the server drains (3 s of grace) and exits cleanly by itself.
        let deadline = Date().addingTimeInterval(60)
        while server.process.isRunning && Date() < deadline { usleep(20_000) }
        #expect(!server.process.isRunning, "server still running 60 s after SIGTERM")
        if !server.process.isRunning {
            #expect(server.process.terminationStatus == 0, "server exit after SIGTERM\n\(server.stderr)")
        }
    }
}
