import Logging
import TensorJSON

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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
            writer.write(timestamp, forKey: "ts")
            writer.write(level.rawValue, forKey: "level")
            writer.write(label, forKey: "logger")
            writer.write(message.description, forKey: "msg")
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

    /// Appends ``timestamp()``'s text, digit by digit (no `String(format:)` and no `gmtime_r`,
    /// which takes glibc's time-zone lock on every call, on the request path).
    static func appendTimestamp(into out: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        appendTimestamp(seconds: Int(now.tv_sec), milliseconds: Int(now.tv_nsec) / 1_000_000, into: &out)
    }

    /// Appends `seconds` since the epoch (UTC) and `milliseconds` as `2026-12-01T23:07:11.931Z`.
    static func appendTimestamp(seconds: Int, milliseconds: Int, into out: inout [UInt8]) {
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
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let date = civilDate(daysSinceEpoch: days)
        digits(date.year, 4)
        out.append(UInt8(ascii: "-"))
        digits(date.month, 2)
        out.append(UInt8(ascii: "-"))
        digits(date.day, 2)
        out.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        out.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2)
        out.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        out.append(UInt8(ascii: "."))
        digits(milliseconds, 3)
        out.append(UInt8(ascii: "Z"))
    }

    /// The proleptic Gregorian date `days` after 1970-01-01: the calendar counted in 400-year
    /// eras of 146,097 days, each year starting on 1 March so that the leap day comes last
    /// (H. Hinnant's `civil_from_days`).
    static func civilDate(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468  // days since 0000-03-01
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153  // 0 = March ... 11 = February
        let day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        let month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
