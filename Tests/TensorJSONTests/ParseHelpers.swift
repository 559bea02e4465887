@testable import TensorJSON

/// Parses `text` or returns the error.
func parseResult(_ text: String, limits: JSONLimits = .default) -> Result<JSONValue, JSONError> {
    Result { () throws(JSONError) -> JSONValue in try JSONParser.parse(text, limits: limits) }
}

/// The error code of parsing `text`, or nil when it parses.
func errorCode(_ text: String, limits: JSONLimits = .default) -> String? {
    if case .failure(let e) = parseResult(text, limits: limits) { return e.code }
    return nil
}

/// The error of parsing `bytes`, or nil when it parses.
func parseError(_ bytes: [UInt8], limits: JSONLimits = .default) -> JSONError? {
    do {
        _ = try JSONParser.parse(bytes, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// Parses a root number literal.
func parseNumber(_ text: String) throws(JSONError) -> Double {
    let v = try JSONParser.parse(text)
    guard case .number(let d) = v else { fatalError("not a number: \(text)") }
    return d
}

/// Text of the writer's bytes.
func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Normalized (digits, exponent) of decimal text: value = 0.digits × 10^exponent,
/// no leading/trailing zeros in digits. `nil` for non-numbers.
func normalizedDecimal(_ s: String) -> (digits: String, exponent: Int)? {
    var s = Substring(s)
    if s.hasPrefix("-") { s = s.dropFirst() }
    var exp = 0
    if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        guard let x = Int(s[s.index(after: e)...]) else { return nil }
        exp = x
        s = s[..<e]
    }
    var intPart = s
    var frac: Substring = ""
    if let dot = s.firstIndex(of: ".") {
        intPart = s[..<dot]
        frac = s[s.index(after: dot)...]
    }
    var digits = Array(intPart + frac)
    var decpt = intPart.count + exp
    while let f = digits.first, f == "0" {
        digits.removeFirst()
        decpt -= 1
    }
    while let l = digits.last, l == "0" { digits.removeLast() }
    if digits.isEmpty { return ("0", 0) }
    return (String(digits), decpt)
}

/// Exact decimal text of (2c+1) · 2^(e-1) — the midpoint between c·2^e and (c+1)·2^e.
func exactMidpointText(c: UInt64, e: Int) -> String {
    // digits little-endian base 10
    var n = 2 &* c &+ 1
    var digits: [UInt8] = []
    while n > 0 {
        digits.append(UInt8(n % 10))
        n /= 10
    }
    func mul(_ k: UInt8) {
        var carry = 0
        for i in digits.indices {
            let v = Int(digits[i]) * Int(k) + carry
            digits[i] = UInt8(v % 10)
            carry = v / 10
        }
        while carry > 0 {
            digits.append(UInt8(carry % 10))
            carry /= 10
        }
    }
    let p = e - 1
    var scale = 0
    if p >= 0 {
        for _ in 0..<p { mul(2) }
    } else {
        for _ in 0..<(-p) { mul(5) }
        scale = p  // value = digits × 10^p
    }
    let s = String(digits.reversed().map { Character(Unicode.Scalar($0 + 48)) })
    return scale == 0 ? s : s + "e\(scale)"
}
