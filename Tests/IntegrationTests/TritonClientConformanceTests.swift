import Foundation
import Testing

/// The real `tritonclient.http` (Python) against the real binary: any V2 client must work
/// unchanged. The checks live in `Tests/V2Conformance/tritonclient_conformance.py`.
///
/// The Python comes from `DENSESERVE_TRITON_PYTHON` (set by `scripts/test.sh`, which
/// creates `.venv-triton` with tritonclient when missing) or `.venv-triton/bin/python` at
/// the repository root. Without either the test is skipped, except under CI (`CI` set),
/// where it fails.
@Suite struct TritonClientConformanceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var python: String? {
        if let path = ProcessInfo.processInfo.environment["DENSESERVE_TRITON_PYTHON"], !path.isEmpty { return path }
        let local = root.appendingPathComponent(".venv-triton/bin/python").path
        return FileManager.default.isExecutableFile(atPath: local) ? local : nil
    }

    static var required: Bool { python != nil || ProcessInfo.processInfo.environment["CI"] != nil }

    @Test(.enabled(if: required, "needs a Python with tritonclient[http]: run scripts/test.sh (creates .venv-triton)"))
    func tritonclientWorksUnchanged() throws {
        let python = try #require(Self.python, "no Python with tritonclient: scripts/test.sh creates .venv-triton")
        let server = try ServerProcess()
        defer { server.stop() }
        let log = NSTemporaryDirectory() + "tritonclient-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: log) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            Self.root.appendingPathComponent("Tests/V2Conformance/tritonclient_conformance.py").path, "127.0.0.1:\(server.port)",
        ]
        process.standardOutput = output
        process.standardError = output
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        if finished.wait(timeout: .now() + 300) == .timedOut {
            process.terminate()
            finished.wait()
        }
        try? output.close()
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 0, "tritonclient conformance failed:\n\(text)\nserver log:\n\(server.stderr)")
        #expect(text.contains("ok:"), "\(text)")
    }
}
