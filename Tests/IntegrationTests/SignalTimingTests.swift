import Foundation
import Testing

/// Regression: signal handlers were installed only after the server printed "listening on",
/// so a SIGTERM while it loaded its models killed it outright (no drain, no exit 0), and as
/// PID 1 a SIGTERM sent right at that line could be lost (found by `PIDOneTests` under
/// AddressSanitizer, where start-up is slower). Now they are installed before anything else,
/// before the "starting" log line.
@Suite struct SignalTimingTests {
    @Test func sigtermWhileLoadingModelsExitsZero() async throws {
        // A model directory that takes a while to load: one 2.8 MB model file copied as 40
        // versions (the copies say v1, so each is parsed, then skipped as inconsistent).
        let dir = ServerProcess.temporaryDirectory()
        do {
            let server = try ServerProcess(modelDir: dir)
            let put = try await Client.call(
                "PUT", server.baseURL + "/v1/models/big", json: #"{"layer": {"units": 1024, "seed": 1}, "input_shape": [null, 512]}"#)
            #expect(put.status == 201)
            server.stop()
        }
        let file = dir + "/big/v1.model"
        for version in 2...40 { try FileManager.default.copyItem(atPath: file, toPath: dir + "/big/v\(version).model") }

        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = [
            "serve", "--port", "0", "--model-dir", dir, "--set", "seed_model_dir=", "--set", "drain_grace_s=0.1", "--log-level", "info",
        ]
        let err = Pipe()
        process.standardOutput = Pipe()
        process.standardError = err
        try process.run()
        // The "starting" line comes once the handlers are in place; the model files load after it.
        let line = try ServerProcess.readLine(err.fileHandleForReading, timeout: 30)
        #expect(line.contains("starting"), "\(line)")
        kill(process.processIdentifier, SIGTERM)
        // Bounded: before the fix the signal could be lost and the server ran on.
        for _ in 0..<600 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(
            process.terminationReason == .exit && process.terminationStatus == 0,
            "SIGTERM during start-up: \(process.terminationReason == .exit ? "exit" : "signal") \(process.terminationStatus)")
    }
}
