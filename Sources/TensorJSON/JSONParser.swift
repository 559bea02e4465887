/// Strict RFC 8259 JSON parser producing a `JSONValue`, built for tensors.
///
/// Accepted beyond RFC 8259: the number tokens `NaN`, `Infinity` and `-Infinity`
/// (as Python's `json` writes them). Rejected: duplicate object keys, invalid
/// UTF-8, lone surrogate `\u` escapes, unescaped control characters, leading
/// zeros, `+1`, `.5`, `1.`, trailing commas, trailing garbage, an empty
/// document, and finite literals beyond Double's range (`1e400`). Tiny
/// literals underflow to zero (`1e-400` → 0, `-0` → -0.0).
///
/// Numbers are correctly rounded to Double (the value Python's `float()` gives),
/// in time linear in the literal's length. All-number arrays become contiguous
/// `.numbers` leaves. The parser is iterative: depth is bounded by
/// `JSONLimits.maxDepth`, never by the stack.
public enum JSONParser {
    /// Parses one JSON document (surrounding whitespace allowed) from raw bytes.
    ///
    /// Work is linear in the input size; memory is bounded by `limits` (see
    /// `JSONLimits` for the defaults).
    /// - Throws: `JSONError` with the byte offset of the first problem:
    ///   `malformed_json`, `duplicate_key`, `nesting_too_deep`,
    ///   `number_out_of_range`, `invalid_utf8` (also lone surrogates) or `too_large`.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, limits: JSONLimits = .default
    ) throws(JSONError) -> JSONValue {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw .malformedJSON(offset: 0, message: "empty input, expected a JSON value")
        }
        let start = base.assumingMemoryBound(to: UInt8.self)
        // RFC 8259 §8.1: no byte order mark; name it rather than "byte 0xEF".
        if bytes.count >= 3 && start[0] == 0xEF && start[1] == 0xBB && start[2] == 0xBF {
            throw .malformedJSON(offset: 0, message: "a UTF-8 byte order mark (EF BB BF) before the JSON text; send the JSON without it")
        }
        var parser = ParserState(base: start, count: bytes.count, limits: limits)
        return try parser.parseDocument()
    }

    /// Parses one JSON document from a byte array.
    /// - Throws: `JSONError` with the byte offset of the first problem.
    public static func parse(_ bytes: [UInt8], limits: JSONLimits = .default) throws(JSONError) -> JSONValue {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(JSONError) -> JSONValue in try parse(raw, limits: limits) }
        }.get()
    }

    /// Parses one JSON document from the UTF-8 of a string (convenient in tests).
    /// - Throws: `JSONError` with the byte offset of the first problem.
    public static func parse(_ text: String, limits: JSONLimits = .default) throws(JSONError) -> JSONValue {
        var text = text
        return try text.withUTF8 { buf in
            Result { () throws(JSONError) -> JSONValue in try parse(UnsafeRawBufferPointer(buf), limits: limits) }
        }.get()
    }
}

// MARK: - Parser state

private let quote = UInt8(ascii: "\"")
private let backslash = UInt8(ascii: "\\")
private let comma = UInt8(ascii: ",")
private let colon = UInt8(ascii: ":")
private let openBracket = UInt8(ascii: "[")
private let closeBracket = UInt8(ascii: "]")
private let openBrace = UInt8(ascii: "{")
private let closeBrace = UInt8(ascii: "}")
private let minus = UInt8(ascii: "-")
private let zero = UInt8(ascii: "0")

@inline(__always) private func isDigit(_ c: UInt8) -> Bool { c &- zero < 10 }
@inline(__always) private func isWhitespace(_ c: UInt8) -> Bool {
    c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
}
/// First byte of a number token: `-`, a digit, `N`(aN) or `I`(nfinity).
@inline(__always) private func isNumberStart(_ c: UInt8) -> Bool {
    isDigit(c) || c == minus || c == UInt8(ascii: "N") || c == UInt8(ascii: "I")
}

/// Human-readable name of the byte at `offset` (or end of input).
func describeByte(_ c: UInt8?) -> String {
    guard let c else { return "end of input" }
    if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
    let hex = String(c, radix: 16, uppercase: true)
    return "byte 0x\(c < 16 ? "0" : "")\(hex)"
}

struct ParserState {
    struct Frame {
        var isObject: Bool
        var valueStart: Int
        var keyStart: Int
    }

    let base: UnsafePointer<UInt8>
    let end: Int
    let limits: JSONLimits
    var pos = 0
    var elementCount = 0
    var frames: [Frame] = []
    var values: [JSONValue] = []
    var numbers: [Double] = []
    var keys: [String] = []
    var keyOffsets: [Int] = []
    var scratch: [UInt8] = []

    init(base: UnsafePointer<UInt8>, count: Int, limits: JSONLimits) {
        self.base = base
        self.end = count
        self.limits = limits
        // Room for a small document at once: grown one append at a time, these arrays were
        // reallocated four or five times each for a one-row request (a quarter of its parse).
        frames.reserveCapacity(8)
        values.reserveCapacity(16)
        keys.reserveCapacity(16)
        keyOffsets.reserveCapacity(16)
    }

    // MARK: errors

    func byte(at p: Int) -> UInt8? { p < end ? base[p] : nil }

    func unexpected(_ expected: String, at p: Int) -> JSONError {
        .malformedJSON(offset: p, message: "expected \(expected), found \(describeByte(byte(at: p)))")
    }

    func literalText(from start: Int, to stop: Int) -> String {
        let n = min(stop - start, 40)
        let s = String(decoding: UnsafeBufferPointer(start: base + start, count: n), as: UTF8.self)
        return stop - start > n ? s + "…" : s
    }

    // MARK: driver

    @inline(__always)
    mutating func skipWhitespace() {
        var p = pos
        while p < end && isWhitespace(base[p]) { p &+= 1 }
        pos = p
    }

    @inline(__always)
    mutating func countElements(_ n: Int) throws(JSONError) {
        elementCount &+= n
        if elementCount > limits.maxElements {
            throw .tooLarge(
                offset: pos, limit: .maxElements, message: "document has more than \(limits.maxElements) values (limit maxElements)")
        }
    }

    mutating func pushFrame(isObject: Bool) throws(JSONError) {
        if frames.count >= limits.maxDepth {
            throw .nestingTooDeep(
                offset: pos, message: "arrays and objects nest deeper than \(limits.maxDepth) levels (limit maxDepth)")
        }
        try countElements(1)
        frames.append(Frame(isObject: isObject, valueStart: values.count, keyStart: keys.count))
    }

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        skipWhitespace()
        var next: JSONValue
        parseValue: while true {
            // State A: a value starts at `pos` (whitespace skipped).
            guard pos < end else { throw unexpected("a value", at: pos) }
            let c = base[pos]
            switch c {
            case openBracket:
                try pushFrame(isObject: false)
                pos &+= 1
                skipWhitespace()
                guard pos < end else { throw unexpected("a value or ']'", at: pos) }
                let first = base[pos]
                if first == closeBracket {
                    pos &+= 1
                    frames.removeLast()
                    next = .array([])
                } else if isNumberStart(first) {
                    if try parseNumberRun() {
                        frames.removeLast()
                        next = .numbers(numbers)
                        numbers.removeAll(keepingCapacity: true)
                    } else {
                        // A non-number element follows: box what we have and go on mixed.
                        values.reserveCapacity(values.count + numbers.count + 1)
                        for d in numbers { values.append(.number(d)) }
                        numbers.removeAll(keepingCapacity: true)
                        continue parseValue
                    }
                } else {
                    continue parseValue
                }
            case openBrace:
                try pushFrame(isObject: true)
                pos &+= 1
                skipWhitespace()
                guard pos < end else { throw unexpected("'\"' or '}'", at: pos) }
                if base[pos] == closeBrace {
                    pos &+= 1
                    frames.removeLast()
                    next = .object(JSONObject())
                } else {
                    try parseKey()
                    continue parseValue
                }
            case quote:
                try countElements(1)
                next = .string(try parseString())
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                try countElements(1)
                next = .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                try countElements(1)
                next = .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                try countElements(1)
                next = .null
            default:
                guard isNumberStart(c) else { throw unexpected("a value", at: pos) }
                try countElements(1)
                next = .number(try parseNumber())
            }

            // State B: attach `next` to its container, then find what follows.
            while true {
                guard let top = frames.last else {
                    skipWhitespace()
                    guard pos == end else {
                        throw .malformedJSON(
                            offset: pos, message: "unexpected \(describeByte(base[pos])) after the end of the JSON value")
                    }
                    return next
                }
                values.append(next)
                skipWhitespace()
                guard pos < end else {
                    throw unexpected(top.isObject ? "',' or '}'" : "',' or ']'", at: pos)
                }
                let s = base[pos]
                if top.isObject {
                    if s == comma {
                        pos &+= 1
                        skipWhitespace()
                        try parseKey()
                        continue parseValue
                    } else if s == closeBrace {
                        pos &+= 1
                        next = try closeObject(top)
                    } else {
                        throw unexpected("',' or '}' after an object member", at: pos)
                    }
                } else {
                    if s == comma {
                        pos &+= 1
                        skipWhitespace()
                        continue parseValue
                    } else if s == closeBracket {
                        pos &+= 1
                        next = .array(Array(values[top.valueStart...]))
                        values.removeSubrange(top.valueStart...)
                        frames.removeLast()
                    } else {
                        throw unexpected("',' or ']' after an array element", at: pos)
                    }
                }
            }
        }
    }

    /// Parses numbers of an array into `numbers` while they come. Returns true
    /// when the array closed (`]` consumed), false when a non-number element
    /// follows a comma (`pos` at that element).
    @inline(__always)
    mutating func parseNumberRun() throws(JSONError) -> Bool {
        while true {
            let d = try parseNumber()
            numbers.append(d)
            try countElements(1)
            guard pos < end else { throw unexpected("',' or ']'", at: pos) }
            var c = base[pos]
            if isWhitespace(c) {
                skipWhitespace()
                guard pos < end else { throw unexpected("',' or ']'", at: pos) }
                c = base[pos]
            }
            if c == comma {
                pos &+= 1
                guard pos < end else { throw unexpected("a value", at: pos) }
                c = base[pos]
                if isWhitespace(c) {
                    skipWhitespace()
                    guard pos < end else { throw unexpected("a value", at: pos) }
                    c = base[pos]
                }
                if !isNumberStart(c) { return false }
            } else if c == closeBracket {
                pos &+= 1
                return true
            } else {
                throw unexpected("',' or ']' after an array element", at: pos)
            }
        }
    }

    mutating func closeObject(_ top: Frame) throws(JSONError) -> JSONValue {
        let n = values.count - top.valueStart
        var members: [JSONObject.Element] = []
        members.reserveCapacity(n)
        for i in 0..<n {
            members.append((keys[top.keyStart + i], values[top.valueStart + i]))
        }
        var duplicateAt: Int?
        let object = JSONObject(checkingDuplicates: members, duplicateAt: &duplicateAt)
        if let d = duplicateAt {
            let key = members[d].key
            let shown = key.utf8.count > 60 ? String(key.prefix(60)) + "…" : key
            throw .duplicateKey(offset: keyOffsets[top.keyStart + d], message: "duplicate key \"\(shown)\" in object")
        }
        values.removeSubrange(top.valueStart...)
        keys.removeSubrange(top.keyStart...)
        keyOffsets.removeSubrange(top.keyStart...)
        frames.removeLast()
        return .object(object)
    }

    /// Parses `"key" :` and the whitespace after the colon.
    mutating func parseKey() throws(JSONError) {
        guard pos < end, base[pos] == quote else { throw unexpected("'\"' starting an object key", at: pos) }
        let top = frames[frames.count - 1]
        if keys.count - top.keyStart >= limits.maxObjectKeys {
            throw .tooLarge(
                offset: pos, limit: .maxObjectKeys, message: "object has more than \(limits.maxObjectKeys) keys (limit maxObjectKeys)")
        }
        keyOffsets.append(pos)
        keys.append(try parseString())
        skipWhitespace()
        guard pos < end, base[pos] == colon else { throw unexpected("':' after an object key", at: pos) }
        pos &+= 1
        skipWhitespace()
    }

    mutating func expectLiteral(_ word: StaticString) throws(JSONError) {
        let n = word.utf8CodeUnitCount
        let w = word.utf8Start
        guard end - pos >= n else { throw .malformedJSON(offset: pos, message: "invalid literal, expected \(word)") }
        for i in 0..<n where base[pos + i] != w[i] {
            throw .malformedJSON(offset: pos, message: "invalid literal, expected \(word)")
        }
        pos &+= n
    }
}

// MARK: - Strings

extension ParserState {
    /// Parses a string starting at the opening quote at `pos`.
    mutating func parseString() throws(JSONError) -> String {
        let start = pos &+ 1
        var p = start
        while p < end {
            let c = base[p]
            if c == quote {
                try checkStringLength(p &- start, at: start)
                pos = p &+ 1
                return String(decoding: UnsafeBufferPointer(start: base + start, count: p &- start), as: UTF8.self)
            } else if c == backslash {
                return try parseEscapedString(start: start, firstEscape: p)
            } else if c < 0x20 {
                throw controlCharacter(c, at: p)
            } else if c >= 0x80 {
                p = try validateUTF8Sequence(at: p)
            } else {
                p &+= 1
            }
        }
        throw .malformedJSON(offset: start &- 1, message: "unterminated string")
    }

    func checkStringLength(_ n: Int, at p: Int) throws(JSONError) {
        if n > limits.maxStringBytes {
            throw .tooLarge(
                offset: p, limit: .maxStringBytes, message: "string is longer than \(limits.maxStringBytes) bytes (limit maxStringBytes)")
        }
    }

    func controlCharacter(_ c: UInt8, at p: Int) -> JSONError {
        .malformedJSON(offset: p, message: "unescaped control character \(describeByte(c)) in string (write it as \\u00XX)")
    }

    /// Validates the multi-byte UTF-8 sequence starting at `p` (first byte ≥ 0x80)
    /// and returns the offset after it.
    @inline(__always)
    func validateUTF8Sequence(at p: Int) throws(JSONError) -> Int {
        let c = base[p]
        var need: Int
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        switch c {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED: need = 2; hi = 0x9F
        case 0xF0: need = 3; lo = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; hi = 0x8F
        default:
            throw .invalidUTF8(offset: p, message: "invalid UTF-8 in string: \(describeByte(c))")
        }
        guard p &+ need < end else {
            throw .invalidUTF8(offset: p, message: "truncated UTF-8 sequence in string")
        }
        let c1 = base[p &+ 1]
        guard c1 >= lo && c1 <= hi else {
            throw .invalidUTF8(offset: p, message: "invalid UTF-8 sequence in string")
        }
        var i = 2
        while i <= need {
            guard base[p &+ i] & 0xC0 == 0x80 else {
                throw .invalidUTF8(offset: p, message: "invalid UTF-8 sequence in string")
            }
            i &+= 1
        }
        return p &+ need &+ 1
    }

    mutating func parseEscapedString(start: Int, firstEscape: Int) throws(JSONError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: base + start, count: firstEscape &- start))
        var p = firstEscape
        while p < end {
            let c = base[p]
            if c == quote {
                try checkStringLength(scratch.count, at: start)
                pos = p &+ 1
                return String(decoding: scratch, as: UTF8.self)
            } else if c == backslash {
                guard p &+ 1 < end else { break }
                let e = base[p &+ 1]
                switch e {
                case quote, backslash, UInt8(ascii: "/"): scratch.append(e)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    var u = try hex4(at: p &+ 2, escapeAt: p)
                    var len = 6
                    if u >= 0xD800 && u <= 0xDBFF {
                        guard p &+ 7 < end, base[p &+ 6] == backslash, base[p &+ 7] == UInt8(ascii: "u") else {
                            throw .invalidUTF8(
                                offset: p,
                                message: "lone surrogate \\u\(hexString(u)) in string (a high surrogate must be followed by a low one)")
                        }
                        let low = try hex4(at: p &+ 8, escapeAt: p &+ 6)
                        guard low >= 0xDC00 && low <= 0xDFFF else {
                            throw .invalidUTF8(
                                offset: p,
                                message:
                                    "lone surrogate \\u\(hexString(u)) in string (followed by \\u\(hexString(low)), not a low surrogate)")
                        }
                        u = 0x10000 &+ ((u &- 0xD800) << 10) &+ (low &- 0xDC00)
                        len = 12
                    } else if u >= 0xDC00 && u <= 0xDFFF {
                        throw .invalidUTF8(
                            offset: p, message: "lone surrogate \\u\(hexString(u)) in string (low surrogate without a high one)")
                    }
                    appendUTF8(u)
                    p &+= len
                    continue
                default:
                    throw .malformedJSON(offset: p, message: "invalid escape \\\(describeByte(e).trimmingQuotes) in string")
                }
                p &+= 2
            } else if c < 0x20 {
                throw controlCharacter(c, at: p)
            } else if c >= 0x80 {
                let q = try validateUTF8Sequence(at: p)
                scratch.append(contentsOf: UnsafeBufferPointer(start: base + p, count: q &- p))
                p = q
            } else {
                scratch.append(c)
                p &+= 1
            }
            if scratch.count > limits.maxStringBytes { try checkStringLength(scratch.count, at: start) }
        }
        throw .malformedJSON(offset: start &- 1, message: "unterminated string")
    }

    func hexString(_ u: UInt32) -> String {
        let s = String(u, radix: 16, uppercase: false)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    func hex4(at p: Int, escapeAt: Int) throws(JSONError) -> UInt32 {
        guard p &+ 4 <= end else {
            throw .malformedJSON(offset: escapeAt, message: "invalid \\u escape in string: expected 4 hex digits")
        }
        var v: UInt32 = 0
        for i in 0..<4 {
            let c = base[p &+ i]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c &- 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c &- 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c &- 55
            default:
                throw .malformedJSON(offset: escapeAt, message: "invalid \\u escape in string: expected 4 hex digits")
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    mutating func appendUTF8(_ u: UInt32) {
        if u < 0x80 {
            scratch.append(UInt8(u))
        } else if u < 0x800 {
            scratch.append(UInt8(0xC0 | (u >> 6)))
            scratch.append(UInt8(0x80 | (u & 0x3F)))
        } else if u < 0x10000 {
            scratch.append(UInt8(0xE0 | (u >> 12)))
            scratch.append(UInt8(0x80 | ((u >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (u & 0x3F)))
        } else {
            scratch.append(UInt8(0xF0 | (u >> 18)))
            scratch.append(UInt8(0x80 | ((u >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((u >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (u & 0x3F)))
        }
    }
}

extension String {
    fileprivate var trimmingQuotes: String {
        hasPrefix("'") && hasSuffix("'") && count >= 3 ? String(dropFirst().dropLast()) : self
    }
}

// MARK: - Numbers

extension ParserState {
    /// Parses a number token at `pos`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`,
    /// `NaN`, `Infinity` or `-Infinity`.
    @inline(__always)
    mutating func parseNumber() throws(JSONError) -> Double {
        let start = pos
        var p = pos
        var negative = false
        var c = base[p]
        if c == minus {
            negative = true
            p &+= 1
            guard p < end else { throw .malformedJSON(offset: start, message: "expected a digit after '-'") }
            c = base[p]
        }
        var w: UInt64 = 0
        let intStart = p
        if c == zero {
            p &+= 1
            if p < end && isDigit(base[p]) {
                throw .malformedJSON(offset: start, message: "number has a leading zero (\(literalText(from: start, to: p + 1))…)")
            }
        } else if isDigit(c) {
            repeat {
                w = w &* 10 &+ UInt64(c &- zero)
                p &+= 1
                guard p < end else { break }
                c = base[p]
            } while isDigit(c)
        } else {
            return try parseNonFinite(negative: negative, start: start, at: p)
        }
        var digitCount = p &- intStart
        var fractionDigits = 0
        if p < end && base[p] == UInt8(ascii: ".") {
            p &+= 1
            let fracStart = p
            while p < end {
                c = base[p]
                guard isDigit(c) else { break }
                w = w &* 10 &+ UInt64(c &- zero)
                p &+= 1
            }
            fractionDigits = p &- fracStart
            if fractionDigits == 0 {
                throw .malformedJSON(offset: p, message: "expected a digit after '.' in number")
            }
            digitCount &+= fractionDigits
        }
        let mantissaEnd = p
        var exp10 = 0
        if p < end && base[p] | 0x20 == UInt8(ascii: "e") {
            p &+= 1
            var expNegative = false
            if p < end && (base[p] == minus || base[p] == UInt8(ascii: "+")) {
                expNegative = base[p] == minus
                p &+= 1
            }
            let expStart = p
            var e = 0
            while p < end {
                c = base[p]
                guard isDigit(c) else { break }
                if e < 0x1000_0000 { e = e &* 10 &+ Int(c &- zero) }
                p &+= 1
            }
            if p == expStart {
                throw .malformedJSON(offset: p, message: "expected a digit in the exponent of number")
            }
            exp10 = expNegative ? -e : e
        }
        pos = p
        let bits: UInt64
        if digitCount <= 19 {
            let q = exp10 &- fractionDigits
            if let d = clingerFastPath(w, q) { return negative ? -d : d }
            bits = eiselLemire(q, w)
        } else {
            bits = convertLongDecimal(
                UnsafeBufferPointer(start: base + intStart, count: mantissaEnd &- intStart),
                fractionDigits: fractionDigits, exp10: exp10)
        }
        if bits == infinityBits {
            throw .numberOutOfRange(
                offset: start,
                message:
                    "number \(literalText(from: start, to: p)) is out of range for a 64-bit float (magnitude above 1.7976931348623157e308)")
        }
        return Double(bitPattern: negative ? bits | (1 << 63) : bits)
    }

    mutating func parseNonFinite(negative: Bool, start: Int, at p: Int) throws(JSONError) -> Double {
        pos = p
        if base[p] == UInt8(ascii: "I") {
            try expectLiteral("Infinity")
            return negative ? -.infinity : .infinity
        }
        if base[p] == UInt8(ascii: "N") && !negative {
            try expectLiteral("NaN")
            return .nan
        }
        throw .malformedJSON(
            offset: start, message: negative ? "expected a digit or 'Infinity' after '-'" : "invalid number")
    }
}
