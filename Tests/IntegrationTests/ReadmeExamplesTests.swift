import Foundation
import Testing

/// Every curl example in the README works as written against the real server.
@Suite struct ReadmeExamplesTests {
    /// The README's `sh` blocks that talk to the local server, in order.
    static func examples() throws -> [String] {
        let readme = try String(contentsOf: ConfigurationDocsTests.root.appendingPathComponent("README.md"), encoding: .utf8)
        var blocks: [String] = []
        var current: [String]? = nil
        for line in readme.components(separatedBy: "\n") {
            if line.hasPrefix("```sh") {
                current = []
            } else if line.hasPrefix("```"), let block = current {
                let text = block.joined(separator: "\n")
                if text.contains("localhost:8080") && !text.contains("docker ") && !text.contains("kubectl ") { blocks.append(text) }
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
            atPath: ConfigurationDocsTests.root.appendingPathComponent("Tests/KerasFileTests/Fixtures/mlp.keras").path,
            toPath: directory + "/m.keras")
        for block in blocks {
            // The same commands, pointed at this server's port, failing on any HTTP error.
            let script =
                "set -euo pipefail\n"
                + block.replacingOccurrences(of: "localhost:8080", with: "127.0.0.1:\(server.port)")
                .replacingOccurrences(of: "curl -s ", with: "curl -sS --fail-with-body ")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", script]
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
