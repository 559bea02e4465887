import Foundation

/// Runs `python3 -c` and returns its standard output, or nil when Python is unavailable.
enum Python {
    /// `arguments` become `sys.argv[1...]`; `environment` entries override the inherited ones
    /// (a nil value removes the variable).
    static func run(_ script: String, arguments: [String] = [], environment: [String: String?] = [:], stdin: URL? = nil)
        -> String?
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        if let stdin { process.standardInput = try? FileHandle(forReadingFrom: stdin) }
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
