import HTTPServer
import InferenceService
import TensorJSON

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Every tunable of `dense-server serve`, validated once at start-up.
///
/// Precedence: flag > `DENSE_*` environment variable > config file > built-in default.
/// Each key is documented in ``ServerConfig/keys`` (the source of `--help`, of
/// `config/server.json` and of the README's Configuration table, which a test keeps in sync).
struct ServerConfig: Sendable, Equatable {
    var host = "127.0.0.1"
    var port = 8080
    var workers = 0
    var queueDepth = 64
    var modelDir = "data/models"
    var seedModelDir = "config/models"
    var adminToken = ""

    /// The admin token without surrounding whitespace (a Kubernetes secret made from a file
    /// keeps its trailing newline, which no `Authorization` header can match), or nil if empty.
    var effectiveAdminToken: String? {
        let token = adminToken.trimmingWhitespace(newlines: true)
        return token.isEmpty ? nil : token
    }
    var logLevel = "info"
    var logFormat = "text"
    var maxConnections = 4096
    var ioQueues = 0
    var headerReadTimeout = 10.0
    var bodyReadTimeout = 30.0
    var idleTimeout = 60.0
    var writeTimeout = 30.0
    var maxRequestLineBytes = 8192
    var maxHeaderBytes = 65536
    var maxHeaderCount = 100
    var maxBodyBytes = 64 << 20
    var maxInflatedBodyBytes = 64 << 20
    var maxChunkLineBytes = 4096
    var maxPipelinedRequests = 16
    var maxPendingOutputBytes = 256 << 10
    var maxBufferedRequestBytes = 512 << 20
    var maxBufferedResponseBytes = 512 << 20
    var gzipMinBytes = 1024
    var gzipLevel = 1
    var maxRank = 32
    var maxElements = 64 << 20
    var maxLayers = 1024
    var maxParams = 64 << 20
    var maxFLOPs = 1 << 37
    var maxJSONDepth = 64
    var maxJSONValues = JSONLimits.default.maxElements
    var maxJSONObjectKeys = JSONLimits.default.maxObjectKeys
    var splitMinFLOPs = 1 << 24
    var batching = true
    var maxBatchRows = BatchingPolicy.default.maxBatchRows
    var maxQueueDelayMicroseconds = BatchingPolicy.default.maxQueueDelayMicroseconds
    var retryAfter = 1
    var drainGrace = 2.0
    var drainTimeout = 25.0
    var http2 = true
    var http2MaxConcurrentStreams = 100
    var http2MaxConnectionAge = 0.0

    /// One configuration key: its name, meaning, and how to read it from text.
    struct Key: Sendable {
        let name: String
        let help: String
        let set: @Sendable (inout ServerConfig, String) -> Bool
        let get: @Sendable (ServerConfig) -> String
        let isSecret: Bool
        let isString: Bool
        var isBool = false

        var environmentName: String { "DENSE_" + name.uppercased() }
        var kindName: String { isString ? "string" : isBool ? "boolean (true or false)" : "number" }
    }

    /// A key of a `Value` property: `parse` reads the value from its text (nil: not one),
    /// `String(_:)` writes it back.
    private static func key<Value: LosslessStringConvertible>(
        _ name: String, _ path: WritableKeyPath<ServerConfig, Value>, _ help: String, secret: Bool = false, isString: Bool = false,
        isBool: Bool = false, parse: @escaping @Sendable (String) -> Value?
    ) -> Key {
        nonisolated(unsafe) let path = path  // key paths are immutable values
        return Key(
            name: name, help: help,
            set: { config, text in
                guard let value = parse(text) else { return false }
                config[keyPath: path] = value
                return true
            }, get: { String($0[keyPath: path]) }, isSecret: secret, isString: isString, isBool: isBool)
    }

    static func int(_ name: String, _ path: WritableKeyPath<ServerConfig, Int>, _ help: String) -> Key {
        key(name, path, help) { Int($0.trimmingWhitespace(newlines: false)) }
    }

    static func double(_ name: String, _ path: WritableKeyPath<ServerConfig, Double>, _ help: String) -> Key {
        key(name, path, help) { text in Double(text.trimmingWhitespace(newlines: false)).flatMap { $0.isFinite ? $0 : nil } }
    }

    static func bool(_ name: String, _ path: WritableKeyPath<ServerConfig, Bool>, _ help: String) -> Key {
        key(name, path, help, isBool: true) { text in
            switch text.trimmingWhitespace(newlines: false).lowercased() {
            case "true", "1", "on", "yes": true
            case "false", "0", "off", "no": false
            default: nil
            }
        }
    }

    static func string(_ name: String, _ path: WritableKeyPath<ServerConfig, String>, _ help: String, secret: Bool = false) -> Key {
        key(name, path, help, secret: secret, isString: true) { $0 }
    }

    static let keys: [Key] = [
        string(
            "host", \.host,
            "Address to listen on: 127.0.0.1, 0.0.0.0 (all interfaces, e.g. in a container) or an IPv6 literal."),
        int(
            "port", \.port,
            "TCP port; 0 picks an ephemeral port (printed in the `listening on` line)."),
        int(
            "workers", \.workers,
            "Worker queues running forward passes; 0 = one per active processor."),
        int(
            "queue_depth", \.queueDepth,
            "Requests admitted beyond the ones running; when full, 503 with Retry-After at once."),
        string(
            "model_dir", \.modelDir,
            "Directory of registered models (created if missing; survives restarts)."),
        string(
            "seed_model_dir", \.seedModelDir,
            "Models (*.json, PUT bodies named by file) copied into an empty model_dir at first start; empty = none."),
        string(
            "admin_token", \.adminToken,
            "Bearer token for PUT/DELETE of models (surrounding whitespace, e.g. a secret file's trailing newline, is ignored); empty = model changes only while host is a loopback address, and only from loopback (403 otherwise).",
            secret: true),
        string(
            "log_level", \.logLevel,
            "trace, debug, info, notice, warning, error or critical."),
        string(
            "log_format", \.logFormat,
            "text or json (one JSON object per line)."),
        int(
            "max_connections", \.maxConnections,
            "Open connections above which new ones get 503 and are closed."),
        int(
            "io_queues", \.ioQueues,
            "Serial I/O queues for connections; 0 = one per active processor."),
        double(
            "header_read_timeout_s", \.headerReadTimeout,
            "Seconds to receive a request head (slow clients get 408)."),
        double(
            "body_read_timeout_s", \.bodyReadTimeout,
            "Seconds without body bytes before 408."),
        double(
            "idle_timeout_s", \.idleTimeout,
            "Seconds an idle keep-alive connection stays open."),
        double(
            "write_timeout_s", \.writeTimeout,
            "Seconds without progress at the client's side (bytes it acknowledged) while an answer waits for it, before the connection is dropped; a steady slow reader is never cut off."
        ),
        int(
            "max_request_line_bytes", \.maxRequestLineBytes,
            "Longest request line (414 beyond)."),
        int(
            "max_header_bytes", \.maxHeaderBytes,
            "Largest header block (431 beyond)."),
        int(
            "max_header_count", \.maxHeaderCount,
            "Most header fields (431 beyond)."),
        int(
            "max_body_bytes", \.maxBodyBytes,
            "Largest request body, decided from Content-Length before reading (413)."),
        int(
            "max_inflated_body_bytes", \.maxInflatedBodyBytes,
            "Largest gzip-inflated request body (413 beyond: zip bombs)."),
        int(
            "max_chunk_line_bytes", \.maxChunkLineBytes,
            "Longest chunk-size line of a chunked body, extensions included (400 beyond)."),
        int(
            "max_pipelined_requests", \.maxPipelinedRequests,
            "Pipelined requests parsed ahead of their responses per connection; reading pauses beyond."),
        int(
            "max_pending_output_bytes", \.maxPendingOutputBytes,
            "Unsent response bytes per connection above which the server stops reading it (slow readers)."),
        int(
            "max_buffered_request_bytes", \.maxBufferedRequestBytes,
            "Request bytes all connections together may hold while receiving, and then bodies of 64 KiB or more (a gzip body's compressed and inflated bytes) until their response; past it a request gets 503 server_busy (many large or gzip uploads cannot exhaust memory). 0 = no limit."
        ),
        int(
            "max_buffered_response_bytes", \.maxBufferedResponseBytes,
            "Unsent response bytes all connections together may hold; a response of 64 KiB or more past it becomes 503 server_busy (clients that never read cannot pin memory). 0 = no limit."
        ),
        int(
            "gzip_min_bytes", \.gzipMinBytes,
            "Responses at least this large are gzipped when the client accepts gzip; 0 disables."),
        int(
            "gzip_level", \.gzipLevel,
            "zlib level for responses, 1 (fast) to 9 (small)."),
        int(
            "max_rank", \.maxRank,
            "Largest tensor rank."),
        int(
            "max_elements", \.maxElements,
            "Largest element count of any one tensor (input, output, kernel)."),
        int(
            "max_layers", \.maxLayers,
            "Most layers in one model."),
        int(
            "max_params", \.maxParams,
            "Most parameters in one model."),
        int(
            "max_flops", \.maxFLOPs,
            "Most FLOPs (2·rows·in·units per layer) in one forward pass."),
        int(
            "max_json_depth", \.maxJSONDepth,
            "Deepest JSON nesting accepted."),
        int(
            "max_json_values", \.maxJSONValues,
            "Most JSON values (numbers, strings, arrays, objects) in one request body (413 beyond); a model PUT as JSON lists needs one per weight."
        ),
        int(
            "max_json_object_keys", \.maxJSONObjectKeys,
            "Most keys in one JSON object (413 beyond)."),
        int(
            "split_min_flops", \.splitMinFLOPs,
            "Forward passes of at least this many FLOPs are split over rows across workers."),
        bool(
            "batching", \.batching,
            "Dynamic batching of registered models (true or false): concurrent requests to one model version run as one forward pass. A model's PUT body may override it (`batching.enabled`)."
        ),
        int(
            "max_batch_rows", \.maxBatchRows,
            "Most rows in one batched forward pass; a request with at least this many rows runs alone. Per model: `batching.max_batch_rows`."
        ),
        int(
            "max_queue_delay_us", \.maxQueueDelayMicroseconds,
            "Microseconds a queued request waits for others to batch with (0 = only those already queued). Per model: `batching.max_queue_delay_us`."
        ),
        int(
            "retry_after_s", \.retryAfter,
            "Retry-After seconds sent with 503 answers: overload, and readiness while loading or draining."),
        double(
            "drain_grace_s", \.drainGrace,
            "After SIGTERM: seconds readiness is false while still accepting (load balancers stop routing)."),
        double(
            "drain_timeout_s", \.drainTimeout,
            "After the grace: seconds to finish accepted requests before closing what is left."),
        bool(
            "http2", \.http2,
            "HTTP/2 cleartext (prior knowledge, h2c) and gRPC on the same port (true or false); off, the HTTP/2 preface gets 505."),
        int(
            "http2_max_concurrent_streams", \.http2MaxConcurrentStreams,
            "Open streams per HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS); also the most streams per connection handed on and not yet answered, reset ones included, before the server stops reading it."
        ),
        double(
            "http2_max_connection_age_s", \.http2MaxConnectionAge,
            "Seconds after which an HTTP/2 connection gets GOAWAY (±10 % jitter; streams in flight finish), so long-lived connections rebalance across replicas; 0 = never."
        ),
    ]

    static func key(named name: String) -> Key? { keys.first { $0.name == name } }

    /// Applies a JSON config file (an object of key: value; unknown keys are errors).
    mutating func apply(file path: String) throws(ConfigError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("cannot read config file \(path)")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(Array(data)) } catch { throw ConfigError("config file \(path) is not valid JSON: \(error)") }
        guard case .object(let object) = value else { throw ConfigError("config file \(path) must hold a JSON object") }
        for (name, item) in object {
            if name.hasPrefix("_") { continue }  // "_comment"-style keys document the file
            guard let key = Self.key(named: name) else {
                throw ConfigError(
                    "config file \(path): unknown key \"\(name)\"; known keys: \(Self.keys.map(\.name).joined(separator: ", "))")
            }
            let text: String
            switch item {
            case .string(let string) where key.isString: text = string
            case .bool(let flag) where key.isBool: text = String(flag)
            case .number(let number) where !key.isString:
                text = number.rounded() == number && abs(number) < 0x1p62 ? String(Int(number)) : String(number)
            case .null where key.isString: text = ""
            default: throw ConfigError("config file \(path): \(name) must be a \(key.kindName)")
            }
            try set(key, text, source: "config file \(path)")
        }
    }

    /// Applies `DENSE_*` variables.
    mutating func apply(environment: [String: String]) throws(ConfigError) {
        for key in Self.keys {
            if let text = environment[key.environmentName] { try set(key, text, source: "environment variable \(key.environmentName)") }
        }
    }

    mutating func set(_ key: Key, _ text: String, source: String) throws(ConfigError) {
        guard key.set(&self, text) else {
            throw ConfigError("\(source): \(key.name) must be a \(key.kindName), got \"\(text)\"")
        }
    }

    /// Checks every value; the first problem becomes the one sentence printed at exit 64.
    func validate() throws(ConfigError) {
        func require(_ ok: Bool, _ message: String) throws(ConfigError) { if !ok { throw ConfigError(message) } }
        try require((0...65535).contains(port), "port must be between 0 and 65535, got \(port)")
        try require(!host.isEmpty, "host must not be empty")
        try require((0...1024).contains(workers), "workers must be between 0 (auto) and 1024, got \(workers)")
        try require((0...1_000_000).contains(queueDepth), "queue_depth must be between 0 and 1000000, got \(queueDepth)")
        try require(!modelDir.isEmpty, "model_dir must not be empty")
        try require(
            ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel),
            "log_level must be one of trace, debug, info, notice, warning, error, critical; got \"\(logLevel)\"")
        try require(["text", "json"].contains(logFormat), "log_format must be text or json, got \"\(logFormat)\"")
        try require(maxConnections >= 1, "max_connections must be at least 1, got \(maxConnections)")
        try require((0...256).contains(ioQueues), "io_queues must be between 0 (auto) and 256, got \(ioQueues)")
        for (name, value) in [
            ("header_read_timeout_s", headerReadTimeout), ("body_read_timeout_s", bodyReadTimeout), ("idle_timeout_s", idleTimeout),
            ("write_timeout_s", writeTimeout),
        ] {
            try require(value > 0 && value <= 86400, "\(name) must be above 0 and at most 86400 seconds, got \(value)")
        }
        try require(
            (1...10_000).contains(http2MaxConcurrentStreams),
            "http2_max_concurrent_streams must be between 1 and 10000, got \(http2MaxConcurrentStreams)")
        try require(
            http2MaxConnectionAge == 0 || (http2MaxConnectionAge >= 1 && http2MaxConnectionAge <= 31_536_000),
            "http2_max_connection_age_s must be 0 (never) or between 1 and 31536000 seconds, got \(http2MaxConnectionAge)")
        for (name, value) in [("drain_grace_s", drainGrace), ("drain_timeout_s", drainTimeout)] {
            try require(value >= 0 && value <= 3600, "\(name) must be between 0 and 3600 seconds, got \(value)")
        }
        for (name, value) in [
            ("max_request_line_bytes", maxRequestLineBytes), ("max_header_bytes", maxHeaderBytes), ("max_header_count", maxHeaderCount),
            ("max_body_bytes", maxBodyBytes), ("max_inflated_body_bytes", maxInflatedBodyBytes),
            ("max_chunk_line_bytes", maxChunkLineBytes), ("max_pipelined_requests", maxPipelinedRequests),
            ("max_pending_output_bytes", maxPendingOutputBytes), ("max_rank", maxRank), ("max_elements", maxElements),
            ("max_layers", maxLayers), ("max_params", maxParams), ("max_flops", maxFLOPs), ("max_json_depth", maxJSONDepth),
            ("max_json_values", maxJSONValues), ("max_json_object_keys", maxJSONObjectKeys),
            ("retry_after_s", retryAfter),
        ] {
            try require(value >= 1, "\(name) must be at least 1, got \(value)")
        }
        try require(
            maxBufferedResponseBytes >= 0, "max_buffered_response_bytes must be 0 (no limit) or more, got \(maxBufferedResponseBytes)")
        try require(maxBufferedRequestBytes >= 0, "max_buffered_request_bytes must be 0 (no limit) or more, got \(maxBufferedRequestBytes)")
        try require(
            maxInflatedBodyBytes >= maxBodyBytes,
            "max_inflated_body_bytes (\(maxInflatedBodyBytes)) must be at least max_body_bytes (\(maxBodyBytes))")
        try require(maxJSONDepth <= 10_000, "max_json_depth must be at most 10000, got \(maxJSONDepth)")
        try require(gzipMinBytes >= 0, "gzip_min_bytes must be 0 (off) or more, got \(gzipMinBytes)")
        try require((1...9).contains(gzipLevel), "gzip_level must be between 1 and 9, got \(gzipLevel)")
        try require(splitMinFLOPs >= 0, "split_min_flops must be 0 or more, got \(splitMinFLOPs)")
        try require(
            (1...BatchingPolicy.maxRowsLimit).contains(maxBatchRows),
            "max_batch_rows must be between 1 and \(BatchingPolicy.maxRowsLimit), got \(maxBatchRows)")
        try require(
            (0...BatchingPolicy.maxDelayLimit).contains(maxQueueDelayMicroseconds),
            "max_queue_delay_us must be between 0 and \(BatchingPolicy.maxDelayLimit), got \(maxQueueDelayMicroseconds)")
    }

    /// How a 413/414/431 names the setting that raises the limit it hit (the body's
    /// `max_chunked_body_bytes` is `max_body_bytes` here: one setting sets both).
    static let httpLimitSettings: [HTTPLimits.Limit: LimitSetting] = [
        .maxRequestLineBytes: limitSetting("max_request_line_bytes"), .maxHeaderBytes: limitSetting("max_header_bytes"),
        .maxHeaderCount: limitSetting("max_header_count"), .maxBodyBytes: limitSetting("max_body_bytes"),
        .maxChunkedBodyBytes: limitSetting("max_body_bytes"), .maxInflatedBodyBytes: limitSetting("max_inflated_body_bytes"),
    ]

    /// How a 413 for a JSON limit names its setting (strings are bounded by the body limits).
    static let jsonLimitSettings: [JSONLimits.Limit: LimitSetting] = [
        .maxElements: limitSetting("max_json_values"), .maxObjectKeys: limitSetting("max_json_object_keys"),
        .maxStringBytes: limitSetting("max_inflated_body_bytes"),
    ]

    /// The key `name` as an error names it: the key, and its three ways of being set.
    static func limitSetting(_ name: String) -> LimitSetting {
        let key = keys.first { $0.name == name }!
        return LimitSetting(
            name: key.name, howToRaise: "\(key.name) in the config file, \(key.environmentName)=<n> or --set \(key.name)=<n>")
    }

    /// `key = value` lines for `--print-config` and the start-up log; secrets masked.
    func rendered() -> [(String, String)] {
        Self.keys.map { key in
            let value = key.get(self)
            return (key.name, key.isSecret && !value.isEmpty ? "****" : value)
        }
    }

    /// The effective configuration as a JSON object (secrets masked), in key order.
    func renderedJSON() -> String {
        var writer = JSONWriter()
        writer.beginObject()
        for key in Self.keys {
            writer.writeKey(key.name)
            let value = key.get(self)
            if key.isSecret && !value.isEmpty {
                writer.write("****")
            } else if key.isString {
                writer.write(value)
            } else if key.isBool {
                writer.write(value == "true")
            } else if let integer = Int(value) {
                writer.write(integer)
            } else {
                writer.write(Double(value) ?? 0)
            }
        }
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// `config/server.json`: every key with its default, each preceded by a `_doc_<key>` line.
    static func defaultFileText() -> String {
        let defaults = ServerConfig()
        var lines = [
            "{",
            "  \"_comment\": \"DenseServe configuration. Every key with its built-in default. Precedence: flag > DENSE_<KEY> environment variable > this file > built-in default. Keys starting with _ are documentation.\",",
        ]
        for (index, key) in keys.enumerated() {
            let value = key.get(defaults)
            let rendered = key.isString ? "\"\(value)\"" : value
            lines.append("  \"_doc_\(key.name)\": \"\(key.help.replacing("\"", with: "'"))\",")
            lines.append("  \"\(key.name)\": \(rendered)\(index == keys.count - 1 ? "" : ",")")
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }

    /// The README's Configuration table.
    static func markdownTable() -> String {
        let defaults = ServerConfig()
        var lines = ["| key | environment | default | meaning |", "|---|---|---|---|"]
        for key in keys {
            let value = key.get(defaults)
            lines.append(
                "| `\(key.name)` | `\(key.environmentName)` | `\(key.isString ? "\"\(value)\"" : value)` | \(key.help.replacing("|", with: "\\|")) |"
            )
        }
        return lines.joined(separator: "\n")
    }

    var effectiveWorkers: Int { workers > 0 ? workers : ProcessInfo.processInfo.activeProcessorCount }
    var effectiveIOQueues: Int { ioQueues > 0 ? ioQueues : ProcessInfo.processInfo.activeProcessorCount }
}

/// An invalid configuration: one sentence, exit code 64.
struct ConfigError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
