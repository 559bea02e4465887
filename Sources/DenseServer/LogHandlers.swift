import Foundation
import Logging
import TensorJSON

/// One line per record to standard error, as text or as a JSON object, written at once through
/// ``LogSink`` (after any buffered access-log lines, so the order holds).
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
            // Client strings reach messages and metadata (a rejected request's error names its
            // field): control characters are escaped so no value can start a forged line.
            let fields = merged.sorted { $0.key < $1.key }.map { "\(Self.escaped($0.key))=\(Self.escaped($0.value.description))" }
                .joined(separator: " ")
            line = Array("\(timestamp) \(level) \(label): \(Self.escaped(message.description))\(fields.isEmpty ? "" : " " + fields)".utf8)
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
        LogSink.standardError.writeNow(line)
    }

    /// `text` with CR, LF, tab, the other C0 controls, DEL and backslash escaped (`\n`,
    /// `\u{1B}`, `\\`); unchanged, without a copy, when it has none.
    static func escaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0x5C }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Now in UTC with milliseconds: `2026-12-01T23:07:11.931Z`.
    static func timestamp() -> String {
        var bytes: [UInt8] = []
        appendTimestamp(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends ``timestamp()``'s text, digit by digit (no `String(format:)` on the request path).
    static func appendTimestamp(into out: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = max(value, 0)
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        out.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        out.append(UInt8(ascii: "."))
        digits(Int(now.tv_nsec) / 1_000_000, 3)
        out.append(UInt8(ascii: "Z"))
    }
}
