import TestSupport
import Testing

@testable import TensorJSON

/// The formatter is checked against the stdlib's `description` (itself shortest
/// and closest): same significant digits, same value after parsing back.
/// `dense-bench json-verify` runs the same check over all 2^32 Float bit
/// patterns and many millions of Doubles in release mode.
@Suite struct ShortestFloatTests {
    /// Issue 11, finding 7: read as a Double and then rounded to Float, the text of ±0x15ae43fd
    /// gave 0x15ae43fe; nine digits are written for it, and both readings give it back.
    @Test func theOneDoubleRoundingExceptionReadsBackBothWays() {
        for bits: UInt32 in [0x15AE_43FD, 0x95AE_43FD] {
            let value = Float(bitPattern: bits)
            let text = format(value)
            #expect(text == (bits >> 31 == 1 ? "-7.03853069e-26" : "7.03853069e-26"))
            #expect(Float(text)?.bitPattern == bits, "\(text)")
            #expect(Double(text).map(Float.init)?.bitPattern == bits, "\(text)")
        }
        // Its neighbours keep their shortest text.
        #expect(format(Float(bitPattern: 0x15AE_43FE)) == Float(bitPattern: 0x15AE_43FE).description)
    }

    func format(_ v: Double) -> String {
        var w = JSONWriter()
        w.write(v)
        return text(w.bytes)
    }

    func format(_ v: Float) -> String {
        var w = JSONWriter()
        w.write(v)
        return text(w.bytes)
    }

    func check(_ v: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        let ours = format(v)
        let back = Double(ours)
        #expect(back?.bitPattern == v.bitPattern, "\(v): wrote \(ours)", sourceLocation: sourceLocation)
        let a = normalizedDecimal(ours)
        let b = normalizedDecimal(v.description)
        #expect(
            a?.digits == b?.digits && a?.exponent == b?.exponent, "\(v): \(ours) vs \(v.description)",
            sourceLocation: sourceLocation)
    }

    func check(_ v: Float, sourceLocation: SourceLocation = #_sourceLocation) {
        let ours = format(v)
        let back = Float(ours)
        #expect(back?.bitPattern == v.bitPattern, "\(v): wrote \(ours)", sourceLocation: sourceLocation)
        // Parsed as Double (as JSONParser and numpy do) then rounded to Float: v again.
        #expect(Double(ours).map(Float.init)?.bitPattern == v.bitPattern, "\(v): \(ours) via Double", sourceLocation: sourceLocation)
        // The same digits as `description`, but for the one nine-digit exception.
        if v.bitPattern & 0x7FFF_FFFF == 0x15AE_43FD { return }
        let a = normalizedDecimal(ours)
        let b = normalizedDecimal(v.description)
        #expect(
            a?.digits == b?.digits && a?.exponent == b?.exponent, "\(v): \(ours) vs \(v.description)",
            sourceLocation: sourceLocation)
    }

    static let doubleEdges: [Double] = [
        .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
        .leastNormalMagnitude.nextDown, .leastNormalMagnitude.nextUp, Double.leastNonzeroMagnitude * 2,
        Double.leastNonzeroMagnitude * 3, Double.leastNonzeroMagnitude * 7, .pi, -.pi, .ulpOfOne, 1, -1, 0.1, 0.2,
        0.3, 1.0 / 3, 2.0 / 3, 1e-5, 1e-4, 9.999e-5, 1e15, 1e16, 1e17, 9007199254740992, 9007199254740992.0.nextUp,
        123456789012345680, 1e22, 1e23, 1.7976931348623157e308, 2.2250738585072014e-308,
        Double(bitPattern: 9), 1e300, 1e-300, 0.5, 1.5, 100, 1234.5678, 65536, 4294967296,
    ]

    @Test(arguments: doubleEdges)
    func doubleEdgeCases(_ v: Double) { check(v) }

    @Test func doublePowersOfTenAndTwo() {
        for e in -323...308 {
            let t = "1e\(e)"
            if let v = Double(t) { check(v); check(v.nextUp); check(v.nextDown) }
        }
        for e in -1074...1023 {
            let v = Double(sign: .plus, exponent: e, significand: 1)
            check(v)
            check(v.nextDown)
        }
    }

    @Test func randomDoubleBitPatterns() {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<100_000 {
            let v = Double(bitPattern: rng.next())
            if v.isFinite { check(v) }
        }
    }

    @Test func randomDoubleSubnormals() {
        var rng = SplitMix64(seed: 12)
        for _ in 0..<20_000 {
            let v = Double(bitPattern: rng.next() & ((1 << 52) - 1))
            check(v)
        }
    }

    static let floatEdges: [Float] = [
        .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
        .leastNormalMagnitude.nextDown, .leastNormalMagnitude.nextUp, Float.leastNonzeroMagnitude * 7,
        Float.leastNonzeroMagnitude * 8, Float.leastNonzeroMagnitude * 9, .pi, .ulpOfOne, 1, -1, 0.1, 0.2, 0.3,
        1e-5, 1e-4, 1e10, 1e15, 1e16, 1e17, 16777216, 16777218, 1.2345678e15, 3.4028235e38,
        7.038531e-26, 8.589973e9, 0.5, 100, 2.5, 1234.5678,
    ]

    @Test(arguments: floatEdges)
    func floatEdgeCases(_ v: Float) { check(v) }

    @Test func floatPowersOfTenAndTwo() {
        for e in -45...38 {
            if let v = Float("1e\(e)") { check(v); check(v.nextUp); check(v.nextDown) }
        }
        for e in -149...127 {
            let v = Float(sign: .plus, exponent: e, significand: 1)
            check(v)
            check(v.nextDown)
        }
    }

    @Test func randomFloatBitPatterns() {
        var rng = SplitMix64(seed: 13)
        for _ in 0..<100_000 {
            let v = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            if v.isFinite { check(v) }
        }
    }

    @Test func allFloatSubnormals() {
        // Every 61st of the 2^23 subnormals (plus the first 10k): a quick sweep.
        var b: UInt32 = 1
        while b < 1 << 23 {
            check(Float(bitPattern: b))
            b += b < 10_000 ? 1 : 61
        }
    }

    /// The multiply-based digit split behind the fixed-notation writer, against division:
    /// every 997th value below 10^8 and the values around each power of ten.
    @Test func eightDigitBytesMatchDivision() {
        func expected(_ x: UInt64) -> UInt64 {
            var bytes: UInt64 = 0
            var rest = x
            for i in (0..<8).reversed() {
                bytes |= (rest % 10) << (8 * UInt64(i))
                rest /= 10
            }
            return bytes
        }
        var probes: [UInt64] = Array(stride(from: 0, to: 100_000_000, by: 997))
        for p in [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000] as [UInt64] {
            probes += [p - 1, p, p + 1].filter { $0 < 100_000_000 }
        }
        for x in probes {
            #expect(decimalDigitBytes8(x) == expected(x), "\(x)")
        }
    }

    /// Doubles at the edges of the fixed-notation fast path (16 digits in all) and just
    /// past them, where the general layout takes over.
    @Test(arguments: [
        0.001234567890123, 0.0001234567890123, 123456789012345.6, 1234567890123456.8, 0.0012345678901234567,
        9.999999999999999e-4, 1e-4, 0.00010000000000000002, 999999999999999.9, 1.0000000000000002, 0.5e-3,
    ])
    func fixedNotationEdges(v: Double) {
        check(v)
        check(-v)
    }

    @Test func layoutMatchesPythonRepr() {
        // Texts Python's repr() gives for these doubles.
        let cases: [(Double, String)] = [
            (0, "0.0"), (-0.0, "-0.0"), (1, "1.0"), (-1.5, "-1.5"), (100, "100.0"), (0.1, "0.1"),
            (1e-4, "0.0001"), (1e-5, "1e-05"), (1.5e-5, "1.5e-05"), (1e15, "1000000000000000.0"),
            (1e16, "1e+16"), (1.25e16, "1.25e+16"), (123456789.125, "123456789.125"),
            (1e100, "1e+100"), (-2.5e-300, "-2.5e-300"), (.leastNonzeroMagnitude, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (0.30000000000000004, "0.30000000000000004"),
            (9007199254740992, "9007199254740992.0"), (.nan, "NaN"), (.infinity, "Infinity"),
            (-.infinity, "-Infinity"), (0.001234, "0.001234"), (12.5, "12.5"),
        ]
        for (v, want) in cases {
            #expect(format(v) == want, "\(v)")
        }
        let floats: [(Float, String)] = [
            (0.1, "0.1"), (1e-5, "1e-05"), (16777216, "16777216.0"), (3.4028235e38, "3.4028235e+38"),
            (-0.0, "-0.0"), (.nan, "NaN"), (-.infinity, "-Infinity"), (.leastNonzeroMagnitude, "1e-45"),
            // Fuzz finding (harness): Swift's description writes -2.6199358e+14; Python's
            // repr layout (fixed below 1e16) is longer but has the same 8 significant digits.
            (Float(bitPattern: 0xD76E_4822), "-261993580000000.0"),
        ]
        for (v, want) in floats {
            #expect(format(v) == want, "\(v)")
        }
    }
}
