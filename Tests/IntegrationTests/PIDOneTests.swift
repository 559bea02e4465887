import Foundation
import Testing

/// In a container the server is PID 1, which the kernel shields from signals that have no
/// handler. SIGTERM must still drain and exit 0 there.
@Suite struct PIDOneTests {
    @Test func sigtermDrainsWhenRunningAsPIDOne() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"), getuid() == 0 else {
            Issue.record("needs root and unshare (util-linux) to make a PID namespace")
            return
        }
        let directory = ServerProcess.temporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = [
            "--pid", "--fork", "--mount-proc", ServerProcess.binary.path, "serve", "--port", "0", "--model-dir", directory,
            "--set", "seed_model_dir=", "--set", "drain_grace_s=0.1", "--log-level", "warning",
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let line = try ServerProcess.readLine(out.fileHandleForReading, timeout: 30)
        #expect(line.hasPrefix("listening on http://127.0.0.1:"))
        // The server is the only child of unshare; in its namespace it is PID 1.
        let children = try String(
            contentsOfFile: "/proc/\(process.processIdentifier)/task/\(process.processIdentifier)/children", encoding: .utf8)
        let serverPID = try #require(children.split(separator: " ").first.flatMap { Int32($0) })
        let status = try String(contentsOfFile: "/proc/\(serverPID)/status", encoding: .utf8)
        let nspid = status.split(separator: "\n").first { $0.hasPrefix("NSpid:") }.map(String.init) ?? ""
        #expect(nspid.split(whereSeparator: { $0 == "\t" || $0 == " " }).last == "1", "\(nspid)")
        kill(serverPID, SIGTERM)
        // Bounded wait: a server that ignores SIGTERM fails the test instead of hanging it.
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(serverPID, SIGKILL)
            process.waitUntilExit()
            Issue.record("the server (PID 1 in its namespace) did not exit within 60 s of SIGTERM")
            return
        }
        #expect(process.terminationStatus == 0)
    }
}
