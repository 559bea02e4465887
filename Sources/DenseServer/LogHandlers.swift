import Foundation
import Logging
import TensorJSON

/// One line per record to standard error, as text or as a JSON object.
struct LineLogHandler: LogHandler {
    enum Format: Sendable { case text, json }

    let label: String
    let format: Format
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let level = event.level
        let message = event.message
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let timestamp = Self.timestamp()
        var line: [UInt8]
        switch format {
        case .text:
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            line = Array("\(timestamp) \(level) \(label): \(message)\(fields.isEmpty ? "" : " " + fields)".utf8)
        case .json:
            var writer = JSONWriter()
            writer.beginObject()
            writer.writeKey("ts")
            writer.write(timestamp)
            writer.writeKey("level")
            writer.write(level.rawValue)
            writer.writeKey("logger")
            writer.write(label)
            writer.writeKey("msg")
            writer.write(message.description)
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                writer.writeKey(key)
                writer.write(value.description)
            }
            writer.endObject()
            line = writer.bytes
        }
        line.append(0x0A)
        FileHandle.standardError.write(Data(line))
    }

    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour,
            parts.tm_min, parts.tm_sec, now.tv_nsec / 1_000_000)
    }
}
