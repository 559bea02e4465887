import Foundation
import Testing

/// The batching keys go through the same precedence and validation as every other key.
@Suite struct BatchingConfigTests {
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DENSE_") }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func defaultsAreOnWithASmallDelay() throws {
        let result = try Self.run(["serve", "--print-config"])
        #expect(result.status == 0)
        #expect(result.output.contains("batching = true"))
        #expect(result.output.contains("max_batch_rows = 256"))
        #expect(result.output.contains("max_queue_delay_us = 100"))
    }

    @Test func fileEnvironmentAndFlagsSetThem() throws {
        let file = NSTemporaryDirectory() + "denseserve-batching-\(UUID().uuidString).json"
        try Data(#"{"batching": false, "max_batch_rows": 8, "max_queue_delay_us": 7}"#.utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let fromFile = try Self.run(["serve", "--print-config", "--config", file])
        #expect(fromFile.status == 0, "\(fromFile.output)")
        #expect(fromFile.output.contains("batching = false"))
        #expect(fromFile.output.contains("max_batch_rows = 8"))
        #expect(fromFile.output.contains("max_queue_delay_us = 7"))
        let overridden = try Self.run(
            ["serve", "--print-config", "--config", file, "--set", "max_queue_delay_us=0"], environment: ["DENSE_BATCHING": "on"])
        #expect(overridden.output.contains("batching = true"))
        #expect(overridden.output.contains("max_queue_delay_us = 0"))
    }

    @Test(arguments: [
        ["--set", "batching=maybe"], ["--set", "max_batch_rows=0"], ["--set", "max_queue_delay_us=-1"],
        ["--set", "max_queue_delay_us=2000000"],
    ])
    func invalidValuesStopStartUp(arguments: [String]) throws {
        let result = try Self.run(["serve", "--print-config"] + arguments)
        #expect(result.status == 64, "\(arguments): \(result.output)")
        #expect(result.output.contains("invalid configuration"))
    }
}
