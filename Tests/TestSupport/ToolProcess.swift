import Dispatch
import Foundation

/// Runs a client tool (curl, wrk, a Python test script) to its end, bounded in time.
public enum ToolProcess {
    /// How a run ended: its exit status and what it wrote.
    public struct Result: Sendable {
        public var status: Int32
        /// Standard output; with `mergingOutput`, standard output and error interleaved.
        public var stdout: String
        /// Standard error; empty with `mergingOutput`.
        public var stderr: String
        /// All it wrote: `stdout` then `stderr` (interleaved as written, with `mergingOutput`).
        public var output: String { stdout + stderr }
    }

    /// Runs `executable` with `arguments` and a hard timeout: after `timeout` seconds SIGTERM,
    /// then SIGKILL 5 s later. Standard input is `stdinFile` (else /dev/null); standard output
    /// and error go through temporary files, so no pipe can fill up and deadlock the run.
    /// - Parameter mergingOutput: standard output and error into one file, in the order they
    ///   were written (as a terminal shows them), returned as `stdout`.
    public static func run(
        _ executable: String, _ arguments: [String], stdinFile: String? = nil, timeout: Double = 60, mergingOutput: Bool = false
    ) throws -> Result {
        let base = NSTemporaryDirectory() + "tool-\(UUID().uuidString)"
        let paths = mergingOutput ? [base + ".log"] : [base + ".out", base + ".err"]
        for path in paths { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        defer { for path in paths { try? FileManager.default.removeItem(atPath: path) } }
        let handles = try paths.map { try FileHandle(forWritingTo: URL(fileURLWithPath: $0)) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = try stdinFile.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) } ?? FileHandle.nullDevice
        process.standardOutput = handles[0]
        process.standardError = handles[handles.count - 1]
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            if finished.wait(timeout: .now() + 5) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                finished.wait()
            }
        }
        for handle in handles { try? handle.close() }
        let texts = paths.map { (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "" }
        return Result(status: process.terminationStatus, stdout: texts[0], stderr: mergingOutput ? "" : texts[1])
    }
}
