import Dispatch
import Glibc
import HTTPServer
import Synchronization

/// Where every log line goes: one file descriptor (standard error), through one bounded buffer.
///
/// Access-log lines are appended to the buffer on the request's own thread (a few hundred
/// nanoseconds, no system call) and written in batches on a utility queue at most
/// `flushDelay` later. When the buffer is full — the reader of standard error cannot keep up —
/// a line is dropped and counted, never waited for, so logging can neither block a request nor
/// grow memory without bound; the count is reported in a warning line once writing catches up
/// and in `/metrics` (`denseserve_access_log_dropped_total`). Every other line (start-up,
/// warnings, errors, "stopped") is written at once, after whatever is buffered, so the output
/// keeps its order and nothing is lost at exit.
final class LogSink: Sendable {
    /// The process's sink (standard error, 4 MiB).
    static let standardError = LogSink(fd: 2, capacity: 4 << 20)

    private struct Pending {
        var buffer: [UInt8] = []
        var flushScheduled = false
    }
    private let pending = Mutex(Pending())
    /// Serializes writes to `fd` (so batches never interleave) and holds how many dropped
    /// lines were already reported.
    private let writer = Mutex(0)
    private let queue = DispatchQueue(label: "denseserve.log", qos: .utility)
    private let fd: Int32
    private let capacity: Int
    private let flushDelay: DispatchTimeInterval
    private let dropped = Atomic<Int>(0)

    init(fd: Int32, capacity: Int, flushDelay: DispatchTimeInterval = .milliseconds(20)) {
        self.fd = fd
        self.capacity = capacity
        self.flushDelay = flushDelay
    }

    /// Lines dropped because the buffer was full.
    var droppedLines: Int { dropped.load(ordering: .relaxed) }

    /// Appends one line, written by `write` straight into the buffer (at most `maxBytes`
    /// bytes, newline included); drops it, and counts it, when that could pass the capacity.
    func append(maxBytes: Int, _ write: (inout [UInt8]) -> Void) {
        let schedule: Bool? = pending.withLock { state in
            guard state.buffer.count + maxBytes <= capacity else { return nil }
            if state.buffer.capacity == 0 { state.buffer.reserveCapacity(64 << 10) }
            write(&state.buffer)
            guard !state.flushScheduled else { return false }
            state.flushScheduled = true
            return true
        }
        switch schedule {
        case nil: dropped.add(1, ordering: .relaxed)
        case true?: queue.asyncAfter(deadline: .now() + flushDelay) { self.flush() }
        case false?: break
        }
    }

    /// Writes what is buffered, then `line`, now (on the caller's thread).
    func writeNow(_ line: [UInt8]) {
        writer.withLock { reported in
            writeBuffered(&reported)
            writeAll(line)
        }
    }

    /// Writes what is buffered now (also at shutdown).
    func flush() {
        writer.withLock { reported in writeBuffered(&reported) }
    }

    private func writeBuffered(_ reported: inout Int) {
        let lines = pending.withLock { state -> [UInt8] in
            state.flushScheduled = false
            defer { state.buffer = [] }
            return state.buffer
        }
        writeAll(lines)
        let lost = dropped.load(ordering: .relaxed)
        if lost > reported {
            writeAll(Array("access log: dropped \(lost - reported) lines, standard error could not keep up (\(lost) in all)\n".utf8))
            reported = lost
        }
    }

    private func writeAll(_ bytes: [UInt8]) {
        var offset = 0
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return  // a closed or broken standard error: nothing more can be said
                }
            }
        }
    }
}

/// Formats access-log lines exactly as the `Logger` would (`request` at info level, fields
/// sorted by name) without its per-line costs: no metadata dictionary, no sorting, no
/// `String(format:)`, no `FileHandle` — bytes written straight into the sink's buffer.
struct AccessLogFormatter: Sendable {
    let format: LineLogHandler.Format
    let label: String

    /// Longest line `append` can write for `entry`.
    static func maxBytes(_ entry: HTTPAccessLogEntry, requestID: String) -> Int {
        // Escaping can make a string at most 6× longer (`\u{1F}`, `\u001f`).
        256 + 6 * (entry.method.utf8.count + entry.path.utf8.count + requestID.utf8.count)
    }

    func append(_ entry: HTTPAccessLogEntry, requestID: String, into out: inout [UInt8]) {
        switch format {
        case .text:
            LineLogHandler.appendTimestamp(into: &out)
            out.append(contentsOf: " info ".utf8)
            out.append(contentsOf: LineLogHandler.escaped(label).utf8)
            out.append(contentsOf: ": request bytes_in=".utf8)
            Self.appendDecimal(entry.bytesIn, into: &out)
            out.append(contentsOf: " bytes_out=".utf8)
            Self.appendDecimal(entry.bytesOut, into: &out)
            out.append(contentsOf: " duration_ms=".utf8)
            Self.appendMilliseconds(entry.durationSeconds, into: &out)
            if let grpcStatus = entry.grpcStatus {
                out.append(contentsOf: " grpc_status=".utf8)
                Self.appendDecimal(grpcStatus, into: &out)
            }
            out.append(contentsOf: " method=".utf8)
            out.append(contentsOf: LineLogHandler.escaped(entry.method).utf8)
            out.append(contentsOf: " path=".utf8)
            out.append(contentsOf: LineLogHandler.escaped(entry.path).utf8)
            out.append(contentsOf: " request_id=".utf8)
            out.append(contentsOf: LineLogHandler.escaped(requestID).utf8)
            out.append(contentsOf: " status=".utf8)
            Self.appendDecimal(entry.status, into: &out)
        case .json:
            out.append(contentsOf: #"{"ts":""#.utf8)
            LineLogHandler.appendTimestamp(into: &out)
            out.append(contentsOf: #"","level":"info","logger":"#.utf8)
            Self.appendJSONString(label, into: &out)
            out.append(contentsOf: #","msg":"request","bytes_in":""#.utf8)
            Self.appendDecimal(entry.bytesIn, into: &out)
            out.append(contentsOf: #"","bytes_out":""#.utf8)
            Self.appendDecimal(entry.bytesOut, into: &out)
            out.append(contentsOf: #"","duration_ms":""#.utf8)
            Self.appendMilliseconds(entry.durationSeconds, into: &out)
            if let grpcStatus = entry.grpcStatus {
                out.append(contentsOf: #"","grpc_status":""#.utf8)
                Self.appendDecimal(grpcStatus, into: &out)
            }
            out.append(contentsOf: #"","method":"#.utf8)
            Self.appendJSONString(entry.method, into: &out)
            out.append(contentsOf: #","path":"#.utf8)
            Self.appendJSONString(entry.path, into: &out)
            out.append(contentsOf: #","request_id":"#.utf8)
            Self.appendJSONString(requestID, into: &out)
            out.append(contentsOf: #","status":""#.utf8)
            Self.appendDecimal(entry.status, into: &out)
            out.append(contentsOf: #""}"#.utf8)
        }
        out.append(0x0A)
    }

    static func appendDecimal(_ value: Int, into out: inout [UInt8]) {
        if value < 0 {
            out.append(UInt8(ascii: "-"))
            appendDecimal(UInt(value.magnitude), into: &out)
        } else {
            appendDecimal(UInt(value), into: &out)
        }
    }

    static func appendDecimal(_ value: UInt, into out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: UInt.max has 20 digits
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { scratch in
            repeat {
                scratch[23 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            out.append(contentsOf: scratch[(24 - count)...])
        }
    }

    /// Seconds as milliseconds with three decimals, as `%.3f` writes them (rounded to the
    /// microsecond; at an exact tie the two may differ in the last digit).
    static func appendMilliseconds(_ seconds: Double, into out: inout [UInt8]) {
        let microseconds = (seconds * 1e6).rounded()
        guard microseconds.isFinite, microseconds >= 0, microseconds < 1e15 else {
            appendDecimal(0, into: &out)
            out.append(contentsOf: ".000".utf8)
            return
        }
        let whole = UInt(microseconds)
        appendDecimal(whole / 1000, into: &out)
        out.append(UInt8(ascii: "."))
        let fraction = whole % 1000
        out.append(UInt8(ascii: "0") + UInt8(fraction / 100))
        out.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
        out.append(UInt8(ascii: "0") + UInt8(fraction % 10))
    }

    /// A JSON string literal with `"`, `\` and control characters escaped.
    static func appendJSONString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case ..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
