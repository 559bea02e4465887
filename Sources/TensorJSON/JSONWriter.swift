/// Writes compact JSON text into a growing `[UInt8]` buffer.
///
/// Commas are inserted automatically: call `beginObject()`, then `writeKey(_:)`
/// followed by one value per member, then `endObject()`; arrays likewise
/// without keys. Output is always valid UTF-8. Numbers are written with the
/// shortest text that parses back to the same value, laid out like Python's
/// `repr` (`0.1`, `100.0`, `1e-05`, `1.5e+300`); non-finite numbers as `NaN`,
/// `Infinity`, `-Infinity` (as Python's `json` writes them, and as
/// `JSONParser` accepts them).
///
/// The writer does not check that begin/end calls balance or that keys and
/// values alternate: that is the caller's structure to get right.
public struct JSONWriter: Sendable {
    /// The JSON text written so far.
    public internal(set) var bytes: [UInt8]
    /// True when the next value or key must be preceded by a comma.
    var needsComma = false

    /// An empty writer, optionally reserving `capacity` bytes.
    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Returns the text written so far and leaves the writer empty.
    public mutating func takeBytes() -> [UInt8] {
        needsComma = false
        defer { bytes = [] }
        return bytes
    }

    /// Empties the writer, keeping its allocated capacity for reuse.
    public mutating func reset() {
        needsComma = false
        bytes.removeAll(keepingCapacity: true)
    }

    /// Encodes one value as compact JSON.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var w = JSONWriter()
        w.write(value)
        return w.bytes
    }

    @inline(__always)
    mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
    }

    // MARK: structure

    /// Writes `{`.
    public mutating func beginObject() { open(UInt8(ascii: "{")) }

    /// Writes `}`.
    public mutating func endObject() { close(UInt8(ascii: "}")) }

    /// Writes `[`.
    public mutating func beginArray() { open(UInt8(ascii: "[")) }

    /// Writes `]`.
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// An object or array opens as a value (after a comma if one is due); its first element
    /// needs none.
    @inline(__always)
    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        needsComma = false
    }

    /// A closed object or array is a value: what follows it needs a comma.
    @inline(__always)
    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        needsComma = true
    }

    /// Writes an object key and its colon; the next write is its value.
    public mutating func writeKey(_ key: String) {
        separate()
        appendQuoted(key)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    // MARK: members

    /// Writes `"key":value` as an object member.
    public mutating func write(_ value: some JSONScalar, forKey key: String) {
        writeKey(key)
        value.write(to: &self)
    }

    /// Writes `"key":[value, …]` as an object member.
    public mutating func writeArray<Values: Sequence>(_ values: Values, forKey key: String) where Values.Element: JSONScalar {
        writeKey(key)
        beginArray()
        for value in values { value.write(to: &self) }
        endArray()
    }

    // MARK: scalars

    /// Writes `null`.
    public mutating func writeNull() {
        separate()
        bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C] as [UInt8])
    }

    /// Writes `true` or `false`.
    public mutating func write(_ value: Bool) {
        separate()
        if value {
            bytes.append(contentsOf: [0x74, 0x72, 0x75, 0x65] as [UInt8])
        } else {
            bytes.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65] as [UInt8])
        }
    }

    /// Writes an integer in decimal.
    public mutating func write(_ value: Int) {
        separate()
        appendInt(value)
    }

    /// Writes a string, quoted and escaped (`"`, `\`, and control characters;
    /// everything else as its UTF-8).
    public mutating func write(_ string: String) {
        separate()
        appendQuoted(string)
    }

    /// Writes the shortest text that parses back to exactly `value`
    /// (`NaN`/`Infinity`/`-Infinity` when not finite).
    public mutating func write(_ value: Double) {
        separate()
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxNumberTextBytes) { buf in
            let n = formatShortest(value, to: buf.baseAddress!)
            bytes.append(contentsOf: UnsafeBufferPointer(start: buf.baseAddress!, count: n))
        }
    }

    /// Writes the shortest text that parses back (as Float) to exactly `value`
    /// (`NaN`/`Infinity`/`-Infinity` when not finite). Parsed as Double and then rounded to
    /// Float (as `json.loads` + `numpy.float32` do), it gives `value` too: for the one Float
    /// where the shortest text would not (±7.038531e-26), nine digits are written.
    public mutating func write(_ value: Float) {
        separate()
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxNumberTextBytes) { buf in
            let n = formatShortest(value, to: buf.baseAddress!)
            bytes.append(contentsOf: UnsafeBufferPointer(start: buf.baseAddress!, count: n))
        }
    }

    /// Writes a whole value tree (`.numbers` leaves through the bulk writer).
    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: writeNull()
        case .bool(let b): write(b)
        case .number(let d): write(d)
        case .string(let s): write(s)
        case .numbers(let xs): xs.withUnsafeBufferPointer { writeFlat($0) }
        case .array(let a):
            beginArray()
            for v in a { write(v) }
            endArray()
        case .object(let o):
            beginObject()
            for m in o {
                writeKey(m.key)
                write(m.value)
            }
            endObject()
        }
    }

    /// Writes `bytes` as they are: the caller vouches they are one valid JSON value.
    public mutating func writeRawJSON(_ json: UnsafeRawBufferPointer) {
        separate()
        bytes.append(contentsOf: json)
    }

    /// Writes a JSON string holding the standard padded base64 of `data`
    /// (for the `{"shape", "dtype", "b64"}` tensor form), without an intermediate String.
    public mutating func writeBase64String(_ data: UnsafeRawBufferPointer) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        Base64.append(data, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    // MARK: internals

    mutating func appendInt(_ value: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buf in
            let p = buf.baseAddress!
            var i = 0
            if value < 0 {
                p[0] = UInt8(ascii: "-")
                i = 1
            }
            let magnitude = value.magnitude
            let n = magnitude == 0 ? 1 : decimalDigitCount(UInt64(magnitude))
            writeDigits(UInt64(magnitude), count: n, to: p + i)
            bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: i + n))
        }
    }

    mutating func appendQuoted(_ string: String) {
        var s = string
        bytes.append(UInt8(ascii: "\""))
        s.withUTF8 { u in
            var runStart = 0
            for i in 0..<u.count {
                let c = u[i]
                guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
                if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart..<i])) }
                runStart = i + 1
                bytes.append(UInt8(ascii: "\\"))
                switch c {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(c)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    let hex: StaticString = "0123456789abcdef"
                    bytes.append(contentsOf: [0x75, 0x30, 0x30] as [UInt8])  // u00
                    bytes.append(hex.utf8Start[Int(c >> 4)])
                    bytes.append(hex.utf8Start[Int(c & 0xF)])
                }
            }
            if runStart < u.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// A scalar ``JSONWriter`` writes as one value: what ``JSONWriter/write(_:forKey:)`` takes.
public protocol JSONScalar {
    /// Writes the value with the writer's `write(_:)` for its type.
    func write(to writer: inout JSONWriter)
}

extension Bool: JSONScalar {
    /// `true` or `false`.
    public func write(to writer: inout JSONWriter) { writer.write(self) }
}

extension Int: JSONScalar {
    /// The integer in decimal.
    public func write(to writer: inout JSONWriter) { writer.write(self) }
}

extension String: JSONScalar {
    /// The string quoted and escaped.
    public func write(to writer: inout JSONWriter) { writer.write(self) }
}

extension Double: JSONScalar {
    /// The shortest text that parses back to the value.
    public func write(to writer: inout JSONWriter) { writer.write(self) }
}
