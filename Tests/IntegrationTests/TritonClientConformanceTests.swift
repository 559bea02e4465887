import Foundation
import TestSupport
import Testing

/// The real `tritonclient.http` (Python) against the real binary: any V2 client must work
/// unchanged. The checks live in `Tests/V2Conformance/tritonclient_conformance.py`.
///
/// The Python comes from `DENSESERVE_TRITON_PYTHON` (set by `scripts/test.sh`, which
/// creates `.venv-triton` with tritonclient when missing) or `.venv-triton/bin/python` at
/// the repository root. Without either the test is skipped, except under CI (`CI` set),
/// where it fails.
@Suite struct TritonClientConformanceTests {
    static var python: String? {
        if let path = ProcessInfo.processInfo.environment["DENSESERVE_TRITON_PYTHON"], !path.isEmpty { return path }
        let local = Repository.root.appendingPathComponent(".venv-triton/bin/python").path
        return FileManager.default.isExecutableFile(atPath: local) ? local : nil
    }

    static var required: Bool { python != nil || ProcessInfo.processInfo.environment["CI"] != nil }

    @Test(.enabled(if: required, "needs a Python with tritonclient[http]: run scripts/test.sh (creates .venv-triton)"))
    func tritonclientWorksUnchanged() throws {
        let python = try #require(Self.python, "no Python with tritonclient: scripts/test.sh creates .venv-triton")
        let server = try ServerProcess()
        defer { server.stop() }
        let result = try ToolProcess.run(
            python,
            [Repository.root.appendingPathComponent("Tests/V2Conformance/tritonclient_conformance.py").path, "127.0.0.1:\(server.port)"],
            timeout: 300, mergingOutput: true)
        #expect(result.status == 0, "tritonclient conformance failed:\n\(result.output)\nserver log:\n\(server.stderr)")
        #expect(result.output.contains("ok:"), "\(result.output)")
    }
}
