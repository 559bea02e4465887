import Foundation
import TestSupport
import Testing

/// Every curl example in the README works as written against the real server.
@Suite struct ReadmeExamplesTests {
    /// The README's `sh` blocks, and its `python` client blocks (those that import a client
    /// library, not Keras), that talk to the local server, in order, with whether each is Python.
    static func examples() throws -> [(text: String, isPython: Bool)] {
        let readme = try String(contentsOf: Repository.root.appendingPathComponent("README.md"), encoding: .utf8)
        var blocks: [(String, Bool)] = []
        var current: [String]? = nil
        var isPython = false
        for line in readme.components(separatedBy: "\n") {
            if line.hasPrefix("```sh") || line.hasPrefix("```python") {
                current = []
                isPython = line.hasPrefix("```python")
            } else if line.hasPrefix("```"), let block = current {
                let text = block.joined(separator: "\n")
                let runnable = !isPython || text.contains("import tritonclient")
                if runnable && text.contains("localhost:8080") && !text.contains("docker ") && !text.contains("kubectl ") {
                    blocks.append((text, isPython))
                }
                current = nil
            } else if current != nil {
                current!.append(line)
            }
        }
        return blocks
    }

    @Test func curlExamplesWorkAsWritten() throws {
        let blocks = try Self.examples()
        #expect(blocks.count >= 5)
        let server = try ServerProcess()
        defer { server.stop() }
        let directory = ServerProcess.temporaryDirectory()
        // The From Keras example uploads `m.keras`: a file real Keras wrote with model.save.
        try FileManager.default.copyItem(
            atPath: Repository.root.appendingPathComponent("Tests/KerasFileTests/Fixtures/mlp.keras").path,
            toPath: directory + "/m.keras")
        #expect(blocks.contains { $0.isPython }, "the README's Python (tritonclient.grpc) example")
        for (block, isPython) in blocks {
            let process = Process()
            if isPython {
                // The gRPC example, with the Python the tritonclient tests use (skipped without it).
                guard let python = TritonClientConformanceTests.python else {
                    #expect(!TritonClientConformanceTests.required, "no Python with tritonclient for the README's Python example")
                    continue
                }
                process.executableURL = URL(fileURLWithPath: python)
                process.arguments = ["-c", block.replacingOccurrences(of: "localhost:8080", with: "127.0.0.1:\(server.port)")]
            } else {
                // The same commands, pointed at this server's port, failing on any HTTP error.
                let script =
                    "set -euo pipefail\n"
                    + block.replacingOccurrences(of: "localhost:8080", with: "127.0.0.1:\(server.port)")
                    .replacingOccurrences(of: "curl -s ", with: "curl -sS --fail-with-body ")
                process.executableURL = URL(fileURLWithPath: "/bin/bash")
                process.arguments = ["-c", script]
            }
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            let out = Pipe()
            process.standardOutput = out
            process.standardError = out
            try process.run()
            let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "README example failed:\n\(block)\n---\n\(output)")
            let isDocument = block.contains("openapi.yaml")  // the spec itself shows error examples
            #expect(
                isDocument || !(output.contains("{\"error\":") && output.contains("\"code\":")),
                "README example answered an error:\n\(block)\n---\n\(output)")
        }
    }
}
