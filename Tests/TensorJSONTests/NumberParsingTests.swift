import TestSupport
import Testing

@testable import TensorJSON

/// Every number is checked against the stdlib's `Double(String)` (strtod:
/// correctly rounded, the value Python's `float()` gives), bit for bit.
@Suite struct NumberParsingTests {
    func expectMatchesOracle(_ literal: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let expected = Double(literal) else {
            Issue.record("oracle rejects \(literal)", sourceLocation: sourceLocation)
            return
        }
        switch parseResult(literal) {
        case .success(.number(let d)):
            #expect(
                d.bitPattern == expected.bitPattern,
                "\(literal.prefix(80)): got \(d), want \(expected)", sourceLocation: sourceLocation)
        case .success(let v):
            Issue.record("\(literal) parsed as \(v)", sourceLocation: sourceLocation)
        case .failure(let e):
            if expected.isInfinite {
                #expect(e.code == "number_out_of_range", sourceLocation: sourceLocation)
            } else {
                Issue.record("\(literal.prefix(80)) failed: \(e)", sourceLocation: sourceLocation)
            }
        }
    }

    static let edgeLiterals: [String] = [
        "0", "-0", "0.0", "-0.0", "0e0", "0e-400", "0e400", "-0e400", "0.000000000000000000000000000000000000000000001e-400",
        "1", "-1", "9007199254740992", "9007199254740993", "9007199254740994", "9007199254740995",
        "18446744073709551615", "18446744073709551616", "99999999999999999999",
        "1e22", "1e23", "1e-22", "1e-23", "123456789e-22", "9007199254740993e22",
        "0.1", "0.2", "0.3", "0.30000000000000004", "2.2250738585072011e-308", "2.2250738585072014e-308",
        "2.225073858507201136057409796709131975934819546351645648e-308",
        "4.9406564584124654e-324", "5e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
        "2.470328229206232720882538e-324", "1e-324", "1e-400", "-1e-400",
        "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
        "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368",
        "3.14159265358979323846264338327950288419716939937510582097494459230781640628620899862803482534211706798",
        "0.000001", "1e-7", "123.456", "-987654.321e-3", "1E+10", "1e0001", "1e-0001",
        "7.038531e-26", "1.00000005960464477550", "1.0000000596046447755",
        "8.589973e9", "9.5e-5", "1.448997445238699", "4.35679716365252e-323",
        "0.500000000000000166533453693773481063544750213623046875",
        "3.518437208883201171875e13", "62.5364939768271845828", "8.10109172351e-10",
        "1.0e23", "9.999999999999999e22", "8.41e21",
        "4503599627370496.5", "4503599627370497.5", "9007199254740993.0000000000000000000000001",
        "2.2250738585072012e-308", "2.2250738585072010e-308",
    ]

    @Test(arguments: edgeLiterals)
    func edgeCasesMatchStrtod(_ literal: String) {
        expectMatchesOracle(literal)
    }

    @Test func negativeZeroAndUnderflowKeepSign() throws {
        #expect(try parseNumber("-0").sign == .minus)
        #expect(try parseNumber("-0.0e5").sign == .minus)
        #expect(try parseNumber("-1e-400").sign == .minus)
        #expect(try parseNumber("-1e-400") == 0)
        #expect(try parseNumber("1e-400") == 0)
        #expect(try parseNumber("0").sign == .plus)
    }

    @Test func hugeExponentsSaturate() {
        expectMatchesOracle("1e-99999999999999999999")
        expectMatchesOracle("0e99999999999999999999")
        #expect(errorCode("1e99999999999999999999") == "number_out_of_range")
        #expect(errorCode("0.0000001e99999999999999999999") == "number_out_of_range")
    }

    @Test func tenThousandDigitNumbers() throws {
        // 10k digits, several shapes: integer (out of range), fraction, many leading zeros.
        let ones = String(repeating: "1", count: 10_000)
        #expect(errorCode(ones) == "number_out_of_range")
        expectMatchesOracle("0." + ones)
        expectMatchesOracle(ones + "e-9999")
        expectMatchesOracle("0." + String(repeating: "0", count: 10_000) + "123")
        expectMatchesOracle("1." + String(repeating: "0", count: 10_000) + "1")
        expectMatchesOracle(String(repeating: "9", count: 10_000) + "e-10000")
        // A 10k-digit literal just above a halfway point: the last digit decides.
        // 2^53 + 1 is halfway between two doubles: ties to even (…992) unless any later digit is nonzero (…994).
        let half = "9007199254740993"
        expectMatchesOracle(half + "." + String(repeating: "0", count: 10_000) + "1")
        expectMatchesOracle(half + "." + String(repeating: "0", count: 10_000))
        #expect(try parseNumber(half + "." + String(repeating: "0", count: 10_000) + "1") == 9_007_199_254_740_994)
        #expect(try parseNumber(half + "." + String(repeating: "0", count: 10_000)) == 9_007_199_254_740_992)
    }

    @Test func millionDigitNumberIsLinear() throws {
        // Not a timing assertion: this must simply finish (a quadratic fallback would not).
        let digits = "0." + String(repeating: "3", count: 1_000_000)
        expectMatchesOracle(digits)
    }

    @Test func randomShortDecimals() {
        var rng = SplitMix64(seed: 1)
        for _ in 0..<20_000 {
            let nDigits = Int.random(in: 1...19, using: &rng)
            var s = ""
            for i in 0..<nDigits {
                let d = Int.random(in: (i == 0 ? 1 : 0)...9, using: &rng)
                s.append(Character(Unicode.Scalar(UInt8(48 + d))))
            }
            let point = Int.random(in: 0...nDigits, using: &rng)
            if point < nDigits && point > 0 {
                s.insert(".", at: s.index(s.startIndex, offsetBy: point))
            }
            if Bool.random(using: &rng) { s += "e\(Int.random(in: -330...310, using: &rng))" }
            if Bool.random(using: &rng) { s = "-" + s }
            expectMatchesOracle(s)
        }
    }

    @Test func randomLongDecimals() {
        var rng = SplitMix64(seed: 2)
        for _ in 0..<3_000 {
            let nDigits = Int.random(in: 20...60, using: &rng)
            var s = ""
            for i in 0..<nDigits {
                let d = Int.random(in: (i == 0 ? 1 : 0)...9, using: &rng)
                s.append(Character(Unicode.Scalar(UInt8(48 + d))))
            }
            s += "e\(Int.random(in: -360...300, using: &rng))"
            expectMatchesOracle(s)
        }
    }

    @Test func randomDoublesRoundTripThroughTheirText() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<20_000 {
            let d = Double(bitPattern: rng.next())
            guard d.isFinite else { continue }
            expectMatchesOracle(d.description)  // shortest (often 17 digits)
            expectMatchesOracle(String(describing: d).replacingE())
        }
    }

    @Test func randomFloat32TextAsPythonPrintsIt() {
        // Typical tensor values: float32 values printed shortest, and as Python prints
        // float(np.float32(x)) (17 significant digits).
        var rng = SplitMix64(seed: 4)
        for _ in 0..<20_000 {
            let f = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            guard f.isFinite else { continue }
            expectMatchesOracle(f.description)
            expectMatchesOracle(Double(f).description)
        }
    }

    @Test func exactHalfwayPointsRoundToEven() {
        var rng = SplitMix64(seed: 5)
        var cases: [(c: UInt64, e: Int)] = [
            (1, -1075), (2, -1075), (3, -1075),  // subnormal ties
            ((1 << 53) - 1, 971),  // near max (halfway above max overflows)
            ((1 << 52), -1074), ((1 << 53) - 1, -1075), (9_007_199_254_740_992, 0), (4_503_599_627_370_496, 1),
        ]
        for _ in 0..<60 {
            let c = (1 << 52) | (rng.next() & ((1 << 52) - 1))
            cases.append((c, Int.random(in: -1074...900, using: &rng)))
        }
        for _ in 0..<20 {
            cases.append((rng.next() & ((1 << 52) - 1) | 1, -1074))
        }
        for (c, e) in cases {
            let mid = exactMidpointText(c: c, e: e)
            expectMatchesOracle(mid)
            // Just above and just below the midpoint.
            let (digits, exp) = splitExponent(mid)
            expectMatchesOracle(digits + "000000000000000000001" + "e\(exp - 21)")
            expectMatchesOracle(decrementLastDigit(digits) + "999999999999999999999" + "e\(exp - 21)")
        }
    }

    func splitExponent(_ s: String) -> (String, Int) {
        if let e = s.firstIndex(of: "e") { return (String(s[..<e]), Int(s[s.index(after: e)...])!) }
        return (s, 0)
    }

    func decrementLastDigit(_ s: String) -> String {
        var a = Array(s.utf8)
        var i = a.count - 1
        while a[i] == UInt8(ascii: "0") {
            a[i] = UInt8(ascii: "9")
            i -= 1
        }
        a[i] -= 1
        return String(decoding: a, as: UTF8.self)
    }

    @Test func numberRunsInArraysMatchScalars() throws {
        var rng = SplitMix64(seed: 6)
        var texts: [String] = []
        for _ in 0..<2000 {
            let d = Double(bitPattern: rng.next())
            texts.append(d.isFinite ? d.description : "NaN")
        }
        let v = try JSONParser.parse("[" + texts.joined(separator: " ,\n") + "]")
        let xs = try #require(v.numbersValue)
        #expect(xs.count == texts.count)
        for (t, x) in zip(texts, xs) {
            let want = t == "NaN" ? Double.nan : Double(t)!
            #expect(JSONValue.sameNumber(x, want), "\(t)")
        }
    }
}

extension String {
    /// Same text with an uppercase exponent marker (both are valid JSON).
    fileprivate func replacingE() -> String {
        String(map { $0 == "e" ? "E" : $0 })
    }
}
