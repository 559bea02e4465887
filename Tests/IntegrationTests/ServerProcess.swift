import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real `dense-server` binary started on 127.0.0.1:0 for one test, stopped after.
final class ServerProcess: @unchecked Sendable {
    // `@unchecked Sendable`: `process` and `port` are set in init and only read after;
    // `output` is guarded by `lock`.
    let process = Process()
    let port: Int
    let modelDir: String
    private let lock = NSLock()
    private var stderrText = ""

    static var binary: URL {
        // The test bundle lives in the same products directory as the executable.
        let products =
            Bundle.allBundles.map(\.bundleURL).first { $0.pathExtension == "xctest" }?.deletingLastPathComponent()
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidate = products.appendingPathComponent("dense-server")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug/dense-server")
    }

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "denseserve-it-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Starts the server and waits (bounded) for its `listening on` line.
    init(arguments: [String] = [], environment: [String: String] = [:], modelDir: String? = nil, seedModels: Bool = false) throws {
        self.modelDir = modelDir ?? Self.temporaryDirectory()
        process.executableURL = Self.binary
        process.arguments =
            ["serve", "--port", "0", "--model-dir", self.modelDir, "--log-level", "warning", "--set", "drain_grace_s=0.1"]
            + (seedModels ? [] : ["--set", "seed_model_dir="]) + arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DENSE_") }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let line = try Self.readLine(out.fileHandleForReading, timeout: 30)
        guard let port = line.split(separator: ":").last.flatMap({ Int($0) }), line.hasPrefix("listening on http://") else {
            process.terminate()
            throw ServerError.noListeningLine(line)
        }
        self.port = port
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.stderrText += String(decoding: data, as: UTF8.self) }
        }
    }

    var stderr: String { lock.withLock { stderrText } }

    static func readLine(_ handle: FileHandle, timeout: Double) throws -> String {
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let data = handle.readData(ofLength: 1)
            if data.isEmpty { break }
            if data.first == 0x0A { return String(decoding: bytes, as: UTF8.self) }
            bytes += data
        }
        throw ServerError.noListeningLine(String(decoding: bytes, as: UTF8.self))
    }

    enum ServerError: Error { case noListeningLine(String) }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// SIGTERM and wait; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Resident set size of a process in bytes (from /proc).
func residentBytes(pid: Int32) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
    }
    return 0
}

/// A small blocking HTTP client over URLSession for tests.
struct HTTPResult {
    let status: Int
    let headers: [String: String]
    let body: Data
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])) as? [String: Any] ?? [:] }
    var text: String { String(decoding: body, as: UTF8.self) }
}

enum Client {
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        return URLSession(configuration: configuration)
    }()

    static func call(_ method: String, _ url: String, body: Data? = nil, headers: [String: String] = ["Content-Type": "application/json"])
        async throws -> HTTPResult
    {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body
        for (key, value) in headers { request.setValue(value, forHTTPHeaderField: key) }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var headerMap: [String: String] = [:]
        for (key, value) in http.allHeaderFields { headerMap[String(describing: key).lowercased()] = String(describing: value) }
        return HTTPResult(status: http.statusCode, headers: headerMap, body: data)
    }

    static func call(_ method: String, _ url: String, json: String) async throws -> HTTPResult {
        try await call(method, url, body: Data(json.utf8))
    }
}
