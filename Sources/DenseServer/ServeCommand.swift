import ArgumentParser
import CMalloc
import CoreMetrics
import DenseKernel
import Dispatch
import HTTPServer
import InferenceService
import Logging
import Prometheus

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `dense-server serve`: the HTTP service.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API (the default when no subcommand is given).",
        discussion: """
            Configuration precedence: flag > DENSE_* environment variable > --config file > built-in \
            default. Every key can be set with --set KEY=VALUE, or DENSE_<KEY> (upper case). Keys:

            \(ServerConfig.keys.map { "  \($0.name): \($0.help)" }.joined(separator: "\n"))
            """)

    @Option(name: .long, help: "JSON config file (default: config/server.json when it exists).")
    var config: String?
    @Option(name: .long, help: "Address to listen on.") var host: String?
    @Option(name: .long, help: "Port (0 = ephemeral).") var port: Int?
    @Option(name: .long, help: "Worker queues (0 = one per processor).") var workers: Int?
    @Option(name: .long, help: "Registered-model directory.") var modelDir: String?
    @Option(name: .long, help: "Bearer token for admin routes.") var adminToken: String?
    @Option(name: .long, help: "Log level.") var logLevel: String?
    @Option(name: .long, help: "text or json.") var logFormat: String?
    @Option(name: .customLong("set"), help: "KEY=VALUE for any configuration key (repeatable).")
    var settings: [String] = []
    @Flag(name: .long, help: "Print the effective configuration (secrets masked) and exit.")
    var printConfig = false
    @Flag(name: .long, help: "Print the built-in defaults as config/server.json (with documentation) and exit.")
    var printDefaultConfigFile = false
    @Flag(name: .long, help: "Print the README's Configuration table (markdown) and exit.")
    var printConfigTable = false

    /// Resolves the configuration with its precedence rules.
    func resolve(environment: [String: String]) throws(ConfigError) -> ServerConfig {
        var resolved = ServerConfig()
        let file =
            config ?? environment["DENSE_CONFIG"]
            ?? (FileManager.default.fileExists(atPath: "config/server.json") ? "config/server.json" : nil)
        if let file { try resolved.apply(file: file) }
        try resolved.apply(environment: environment)
        let flags: [(String, String?)] = [
            ("host", host), ("port", port.map(String.init)), ("workers", workers.map(String.init)), ("model_dir", modelDir),
            ("admin_token", adminToken), ("log_level", logLevel), ("log_format", logFormat),
        ]
        for (name, value) in flags {
            if let value {
                try resolved.set(ServerConfig.key(named: name)!, value, source: "--\(name.replacing("_", with: "-"))")
            }
        }
        for setting in settings {
            guard let equals = setting.firstIndex(of: "="), let key = ServerConfig.key(named: String(setting[..<equals])) else {
                throw ConfigError(
                    "--set \(setting): expected KEY=VALUE with a known key (\(ServerConfig.keys.map(\.name).joined(separator: ", ")))")
            }
            try resolved.set(key, String(setting[setting.index(after: equals)...]), source: "--set")
        }
        try resolved.validate()
        return resolved
    }

    func run() throws {
        if printDefaultConfigFile {
            print(ServerConfig.defaultFileText())
            return
        }
        if printConfigTable {
            print(ServerConfig.markdownTable())
            return
        }
        let resolved: ServerConfig
        do {
            resolved = try resolve(environment: ProcessInfo.processInfo.environment)
        } catch {
            StandardStreams.printError("dense-server: invalid configuration: \(error.description)\n")
            throw ExitCode(64)
        }
        if printConfig {
            for (name, value) in resolved.rendered() { print("\(name) = \(value)") }
            return
        }
        Self.returnLargeBuffersToTheSystem()
        // The one metrics backend of the process, before anything makes a handle: the
        // libraries' handles come from `MetricsSystem.factory`, and `/metrics` renders this registry.
        let metricsRegistry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(ServiceMetrics.factory(registry: metricsRegistry))
        try Service(config: resolved, metricsRegistry: metricsRegistry).runForever()
    }

    /// Fixes glibc's mmap threshold at 4 MiB: a buffer that large (a model upload, a big
    /// tensor) is mapped on its own and unmapped when freed. By default glibc raises the
    /// threshold after the first large free (up to 32 MiB), and a 64 MB upload's body buffer,
    /// grown by doubling, then came from the heap and stayed resident: later PUTs peaked at up
    /// to 2.46× the weights instead of 2.0×, and RSS crept up by 106 MiB over ten PUT/DELETE
    /// pairs. `MALLOC_MMAP_THRESHOLD_` in the environment still wins.
    ///
    /// A fixed mmap threshold also fixes the trim threshold, at 128 KiB, where glibc's own
    /// adjustment would have kept it at twice the mmap threshold. Then every free at the top of
    /// the heap gave the pages back and the next request faulted them in again, zeroed: W4
    /// (Dense(1024, gelu) on [256, 1024], V2 JSON) took ~3,000 page faults and 8–11 ms of system
    /// time a request. So the trim threshold is set to twice the mmap threshold, as glibc would:
    /// ~850 faults and 2 ms (`MALLOC_TRIM_THRESHOLD_` still wins).
    static func returnLargeBuffersToTheSystem() {
        #if os(Linux)
            let environment = ProcessInfo.processInfo.environment
            if environment["MALLOC_MMAP_THRESHOLD_"] == nil { _ = mallopt(M_MMAP_THRESHOLD, 4 << 20) }
            if environment["MALLOC_TRIM_THRESHOLD_"] == nil { _ = mallopt(M_TRIM_THRESHOLD, 8 << 20) }
        #endif
    }
}
