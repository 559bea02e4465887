// Shortest round-trip decimal text for Float and Double (Schubfach, after
// R. Giulietti, "The Schubfach way to render doubles", 2020).
//
// For a finite nonzero v, `schubfach*` finds the decimal d·10^e with the fewest
// significant digits that rounds back to v; among those, the one closest to v
// (ties: even d). That is the same digit string Swift's `description` and
// Python's `repr` produce. `formatShortest*` then lays the digits out exactly as
// Python's `repr(float)` does: fixed notation for 1e-4 <= |v| < 1e16 (always
// with a fraction, e.g. `100.0`), otherwise `d.ddde±XX` (at least two exponent
// digits, e.g. `1e-05`, `1.5e+300`); non-finite values as JSON's extension
// tokens `NaN`, `Infinity`, `-Infinity`. Every output is a valid JSON number.

/// floor(log10(2^e)) for |e| <= 5456721.
@inline(__always) func flog10pow2(_ e: Int) -> Int { (e &* 661_971_961_083) >> 41 }
/// floor(log10(3/4 * 2^e)) for |e| <= 5456721.
@inline(__always) func flog10ThreeQuartersPow2(_ e: Int) -> Int { (e &* 661_971_961_083 &- 274_743_187_321) >> 41 }
/// floor(log2(10^e)) for |e| <= 1838394.
@inline(__always) func flog2pow10(_ e: Int) -> Int { (e &* 913_124_641_741) >> 38 }

/// Room `formatShortest` needs: the text is at most 24 bytes for a Double
/// (`-2.2250738585072014e-308`), 19 for a Float (`-1234567800000000.0`), but the
/// fixed-notation writer stores 16-byte blocks and may write (not count) up to 33.
let maxNumberTextBytes = 40

// MARK: - Double

@inline(__always)
private func ropDouble(_ g1: UInt64, _ g0: UInt64, _ cp: UInt64) -> UInt64 {
    let x1 = g0.multipliedFullWidth(by: cp).high
    let (y1, y0) = g1.multipliedFullWidth(by: cp)
    let z = (y0 >> 1) &+ x1
    let vbp = y1 &+ (z >> 63)
    return vbp | (((z & 0x7FFF_FFFF_FFFF_FFFF) &+ 0x7FFF_FFFF_FFFF_FFFF) >> 63)
}

@_transparent
private func schubfachDouble(q: Int, c: UInt64, dk: Int) -> (digits: UInt64, exponent: Int) {
    let (cb, cbl, cbr, k) = roundingInterval(q: q, c: c, lowestQ: -1074, hiddenBit: 1 << 52)
    let h = UInt64(q &+ flog2pow10(-k) &+ 2)
    let i = 2 &* (k &+ 324)
    let g1 = schubfachG[i]
    let g0 = schubfachG[i &+ 1]
    let vb = ropDouble(g1, g0, cb << h)
    let vbl = ropDouble(g1, g0, cbl << h)
    let vbr = ropDouble(g1, g0, cbr << h)
    return closestDecimal(vb: vb, vbl: vbl, vbr: vbr, out: c & 1, k: k, dk: dk, lowestBinade: q == -1074)
}

/// Shortest-closest decimal `digits * 10^exponent` of a finite, nonzero |v|
/// (`digits` may carry trailing zeros).
@_transparent
func shortestDecimal(_ v: Double) -> (digits: UInt64, exponent: Int) {
    shortestDecimal(bits: v.bitPattern, significandBits: 52, exponentMask: 0x7FF, subnormalQ: -1074) {
        schubfachDouble(q: $0, c: $1, dk: 0)
    }
}

/// Both formats' decode of `bits` (IEEE binary64 or binary32, sign ignored) into `c·2^q`
/// before Schubfach runs: an integer value is its own shortest decimal. One unsigned compare
/// tests 0 < mq ≤ `significandBits`, and both tests feed one branch: whether mq is in range
/// is a coin flip for activations near 1, while "is an integer" is rarely true.
/// (For a subnormal, Java's C_TINY scaling is skipped: it exists to give at least two
/// digits, and we want the shortest, e.g. 5e-324.)
@_transparent
private func shortestDecimal(
    bits: UInt64, significandBits: Int, exponentMask: UInt64, subnormalQ: Int,
    schubfach: (_ q: Int, _ c: UInt64) -> (digits: UInt64, exponent: Int)
) -> (digits: UInt64, exponent: Int) {
    let t = bits & ((1 << significandBits) - 1)
    let bq = Int(truncatingIfNeeded: (bits >> significandBits) & exponentMask)
    guard bq != 0 else { return schubfach(subnormalQ, t) }
    // The exponent bias plus the significand's width: 1075 for Double, 150 for Float.
    let mq = Int(exponentMask >> 1) &+ significandBits &- bq
    let c = (1 << significandBits) | t
    let shift = UInt64(truncatingIfNeeded: mq) & 63
    let fraction = c & ((1 << shift) &- 1)
    if UInt(bitPattern: mq &- 1) < UInt(significandBits), fraction == 0 { return (c >> shift, 0) }
    return schubfach(-mq, c)
}

/// For the lowest binade: the multiple of the largest power of ten 10^j (j >= 1)
/// that lies in the rounding interval (closest to v, ties to even), or nil.
/// Comparisons are exact because `vb`, `vbl`, `vbr` are floors with a sticky bit.
private func shortestInLowestBinade(s: UInt64, vb: UInt64, vbl: UInt64, vbr: UInt64, out: UInt64) -> UInt64? {
    var j = 18
    while j >= 1 {
        let p = powersOf10U64[j]
        j -= 1
        let u = s / p * p
        let w = u &+ p
        let uin = u > 0 && vbl &+ out <= u << 2
        let win = (w << 2) &+ out <= vbr
        guard uin || win else { continue }
        if uin != win { return uin ? u : w }
        let cmp = Int64(bitPattern: vb &- ((u &+ w) << 1))
        return cmp < 0 || (cmp == 0 && (u / p) & 1 == 0) ? u : w
    }
    return nil
}

// MARK: - Float

@inline(__always)
private func ropFloat(_ g: UInt64, _ cp: UInt64) -> UInt64 {
    let x1 = g.multipliedFullWidth(by: cp).high
    let vbp = x1 >> 31
    return vbp | (((x1 & 0xFFFF_FFFF) &+ 0xFFFF_FFFF) >> 32)
}

@_transparent
private func schubfachFloat(q: Int, c: UInt64, dk: Int) -> (digits: UInt64, exponent: Int) {
    let (cb, cbl, cbr, k) = roundingInterval(q: q, c: c, lowestQ: -149, hiddenBit: 1 << 23)
    let h = UInt64(q &+ flog2pow10(-k) &+ 33)
    let g = schubfachG[2 &* (k &+ 324)] &+ 1
    let vb = ropFloat(g, cb << h)
    let vbl = ropFloat(g, cbl << h)
    let vbr = ropFloat(g, cbr << h)
    return closestDecimal(vb: vb, vbl: vbl, vbr: vbr, out: c & 1, k: k, dk: dk, lowestBinade: q == -149)
}

/// Schubfach's interval of `c·2^q` (Double and Float alike), scaled by 4: `cb` is v,
/// `cbl` and `cbr` its rounding bounds (closer below at the bottom of a binade but the
/// lowest), and `k` the decimal exponent the table is read at.
@inline(__always)
private func roundingInterval(q: Int, c: UInt64, lowestQ: Int, hiddenBit: UInt64) -> (UInt64, UInt64, UInt64, Int) {
    let cb = c << 2
    if c != hiddenBit || q == lowestQ { return (cb, cb &- 2, cb &+ 2, flog10pow2(q)) }
    return (cb, cb &- 1, cb &+ 2, flog10ThreeQuartersPow2(q))
}

/// The shortest-closest digits from the scaled interval `vb` in `[vbl, vbr]`, and their
/// exponent.
@inline(__always)
private func closestDecimal(
    vb: UInt64, vbl: UInt64, vbr: UInt64, out: UInt64, k: Int, dk: Int, lowestBinade: Bool
) -> (digits: UInt64, exponent: Int) {
    let s = vb >> 2
    if lowestBinade {
        // Lowest binade: a subnormal's rounding interval can hold decimals several
        // digits shorter than s, which the two-candidate search below would miss.
        if let r = shortestInLowestBinade(s: s, vb: vb, vbl: vbl, vbr: vbr, out: out) { return (r, k) }
    }
    return (chooseDigits(s: s, vb: vb, vbl: vbl, vbr: vbr, out: out), k &+ dk)
}

/// Schubfach's last step: the one multiple of ten in the rounding interval `[vbl, vbr]`
/// if exactly one is, else whichever of s and s + 1 is closer to v (ties: even).
/// Every candidate is computed and one is selected, without branches: which one wins
/// is data-dependent (mispredicted about one float in two when it was branched on).
@inline(__always)
private func chooseDigits(s: UInt64, vb: UInt64, vbl: UInt64, vbr: UInt64, out: UInt64) -> UInt64 {
    let sp10 = 10 &* (s / 10)
    let tp10 = sp10 &+ 10
    let upin = vbl &+ out <= sp10 << 2
    let wpin = (tp10 << 2) &+ out <= vbr
    let t = s &+ 1
    let uin = vbl &+ out <= s << 2
    let win = (t << 2) &+ out <= vbr
    let cmp = Int64(bitPattern: vb &- ((s &+ t) << 1))
    // t if v is above the midpoint, or on it with s odd; as one comparison (cmp is an integer).
    let closer = s &+ (cmp &+ Int64(bitPattern: s & 1) > 0 ? 1 : 0)
    let long = uin != win ? (uin ? s : t) : closer
    return (s >= 100) && (upin != wpin) ? (upin ? sp10 : tp10) : long
}

/// Shortest-closest decimal `digits * 10^exponent` of a finite, nonzero |v|.
@_transparent
func shortestDecimal(_ v: Float) -> (digits: UInt64, exponent: Int) {
    shortestDecimal(bits: UInt64(v.bitPattern), significandBits: 23, exponentMask: 0xFF, subnormalQ: -149) {
        schubfachFloat(q: $0, c: $1, dk: 0)
    }
}

// MARK: - Layout

/// "00" "01" ... "99" as static bytes (no lazy global initialisation).
let digitPairs: StaticString =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

let powersOf10U64: [UInt64] = [
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
    10_000_000_000, 100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000,
    1_000_000_000_000_000, 10_000_000_000_000_000, 100_000_000_000_000_000,
    1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
]

/// Number of decimal digits of x (x > 0).
@inline(__always)
func decimalDigitCount(_ x: UInt64) -> Int {
    let bitsLen = 64 &- (x | 1).leadingZeroBitCount
    let guess = (bitsLen &* 1233) >> 12
    return guess &+ (x >= powersOf10U64[guess] ? 1 : 0)
}

@inline(__always)
private func writePair(_ v: UInt32, to p: UnsafeMutablePointer<UInt8>) {
    let pairs = digitPairs.utf8Start
    p[0] = pairs[Int(v) &* 2]
    p[1] = pairs[Int(v) &* 2 &+ 1]
}

/// n in 1...4 digits of v (< 10^n).
@inline(__always)
private func writeUpTo4(_ v: UInt32, count n: Int, to p: UnsafeMutablePointer<UInt8>) {
    if n > 2 {
        let hi = v / 100
        if n == 4 { writePair(hi, to: p) } else { p[0] = UInt8(truncatingIfNeeded: 48 &+ hi) }
        writePair(v &- hi &* 100, to: p + (n &- 2))
    } else if n == 2 {
        writePair(v, to: p)
    } else {
        p[0] = UInt8(truncatingIfNeeded: 48 &+ v)
    }
}

/// n in 1...8 digits of v (< 10^n); the two 4-digit halves are independent.
@inline(__always)
private func writeUpTo8(_ v: UInt32, count n: Int, to p: UnsafeMutablePointer<UInt8>) {
    if n > 4 {
        let hi = v / 10_000
        writeUpTo4(hi, count: n &- 4, to: p)
        writeUpTo4(v &- hi &* 10_000, count: 4, to: p + (n &- 4))
    } else {
        writeUpTo4(v, count: n, to: p)
    }
}

/// Writes the `n` decimal digits of `x` (zero-padded, n in 1...20) at `p..<p+n`.
@inline(__always)
func writeDigits(_ x: UInt64, count n: Int, to p: UnsafeMutablePointer<UInt8>) {
    if n <= 8 {
        writeUpTo8(UInt32(truncatingIfNeeded: x), count: n, to: p)
    } else if n <= 16 {
        let hi = x / 100_000_000
        writeUpTo8(UInt32(truncatingIfNeeded: hi), count: n &- 8, to: p)
        writeUpTo8(UInt32(truncatingIfNeeded: x &- hi &* 100_000_000), count: 8, to: p + (n &- 8))
    } else {
        let hi = x / 10_000_000_000_000_000
        let lo = x &- hi &* 10_000_000_000_000_000
        let mid = lo / 100_000_000
        writeUpTo4(UInt32(truncatingIfNeeded: hi), count: n &- 16, to: p)
        writeUpTo8(UInt32(truncatingIfNeeded: mid), count: 8, to: p + (n &- 16))
        writeUpTo8(UInt32(truncatingIfNeeded: lo &- mid &* 100_000_000), count: 8, to: p + (n &- 8))
    }
}

/// The eight decimal digits of `x` (< 10^8, zero-padded) as byte values 0...9, the
/// first digit in the lowest byte: a few multiplies instead of a division per pair.
@inline(__always)
func decimalDigitBytes8(_ x: UInt64) -> UInt64 {
    // Each step splits every lane into quotient (low half) and remainder (high half);
    // the reciprocals are exact for the lane's range (x / 10^4 for x < 10^8, / 100 for
    // < 10^4, / 10 for < 100) and no lane's product reaches the next lane.
    let q4 = (x &* 109_951_163) >> 40
    let v4 = q4 | ((x &- q4 &* 10_000) << 32)
    let q2 = ((v4 &* 5243) >> 19) & 0x0000_007F_0000_007F
    let v2 = q2 | ((v4 &- q2 &* 100) << 16)
    let q1 = ((v2 &* 103) >> 10) & 0x000F_000F_000F_000F
    return q1 | ((v2 &- q1 &* 10) << 8)
}

/// The 16 decimal digits of `f` (< 10^16, zero-padded) as byte values 0...9, the
/// first digit in the lowest byte.
@inline(__always)
func decimalDigitBytes16(_ f: UInt64) -> UInt128 {
    let high = f / 100_000_000
    return UInt128(decimalDigitBytes8(high)) | UInt128(decimalDigitBytes8(f &- high &* 100_000_000)) << 64
}

/// `decimalDigitBytes16` for `f` < 10^9 (every Float's digits but a few), with one
/// eight-digit conversion instead of two.
@inline(__always)
func decimalDigitBytes16(nineDigits f: UInt64) -> UInt128 {
    let high = f / 100_000_000
    return UInt128(high) << 56 | UInt128(decimalDigitBytes8(f &- high &* 100_000_000)) << 64
}

/// The number of digits of `f` from its `decimalDigitBytes16`: 16 less the padding zeros,
/// which are the lowest zero bytes (f > 0).
@inline(__always)
func decimalDigitCount(digitBytes digits: UInt128) -> Int {
    16 &- digits.trailingZeroBitCount >> 3
}

/// Fixed notation with a fraction, `i.fff`, for `f * 10^e` where `f` has `n` digits,
/// `decpt = n + e`, `e < 0`, and the integer and fraction digits together fit in 16
/// (`max(decpt, 1) - e <= 16`); `digits` is `decimalDigitBytes16(f)`. Branch-free: the
/// digits are stored as 16-byte blocks, so the caller's buffer needs room for 32 bytes.
@inline(__always)
func layoutFixedFraction(digitBytes digits: UInt128, count n: Int, decpt: Int, to p: UnsafeMutablePointer<UInt8>)
    -> Int
{
    let fractionCount = n &- decpt
    let integerCount = max(decpt, 1)
    // f > 0, so its last nonzero digit is the highest nonzero byte.
    let trailingZeros = digits.leadingZeroBitCount >> 3
    let text = digits | 0x3030_3030_3030_3030_3030_3030_3030_3030
    // The 16 digits are f zero-padded, so the integer part is the `integerCount` digits
    // before the fraction's; for |v| < 1 that is one padding zero.
    let raw = UnsafeMutableRawPointer(p)
    raw.storeBytes(of: text >> (8 &* (16 &- fractionCount &- integerCount)), as: UInt128.self)
    p[integerCount] = UInt8(ascii: ".")
    raw.storeBytes(of: text >> (8 &* (16 &- fractionCount)), toByteOffset: integerCount &+ 1, as: UInt128.self)
    return integerCount &+ 1 &+ max(fractionCount &- trailingZeros, 1)
}

/// Returns `n` less the trailing `'0'` bytes of `p[minimum..<n]`.
@inline(__always)
private func trimZeros(_ p: UnsafeMutablePointer<UInt8>, _ n: Int, keeping minimum: Int) -> Int {
    var n = n
    while n > minimum && p[n &- 1] == UInt8(ascii: "0") { n &-= 1 }
    return n
}

/// Lays out `digits * 10^exponent` (digits > 0) as Python's `repr` would, at `p`;
/// returns the number of bytes written (sign not included).
///
/// Trailing zeros of `digits` do not move the decimal point, so the layout is
/// chosen first and zeros are trimmed from the written text, without divisions.
@inline(__always)
func layoutDecimal(digits f: UInt64, exponent e: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
    let n = decimalDigitCount(f)
    let decpt = n &+ e  // value = 0.d1d2...dn × 10^decpt
    // The common case (activations, weights), inline: a fraction, at most 16 digits in all.
    if e < 0, decpt > -4, max(decpt, 1) &- e <= 16 {
        return layoutFixedFraction(digitBytes: decimalDigitBytes16(f), count: n, decpt: decpt, to: p)
    }
    return layoutDecimalOtherwise(digits: f, count: n, decpt: decpt, to: p)
}

/// `layoutDecimal` for the rest (integers, exponents, 17 digits), out of line so
/// that the common path stays small enough to inline into the writers' loops.
@inline(never)
func layoutDecimalOtherwise(digits f: UInt64, count n: Int, decpt: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
    if decpt > 16 || decpt <= -4 {
        // d[.ddd]e±XX
        writeDigits(f, count: n, to: p + 1)
        p[0] = p[1]
        p[1] = UInt8(ascii: ".")
        var len = trimZeros(p, n &+ 1, keeping: 2)
        if len == 2 { len = 1 }  // one digit: no point
        p[len] = UInt8(ascii: "e")
        var x = decpt &- 1
        if x < 0 {
            p[len &+ 1] = UInt8(ascii: "-")
            x = -x
        } else {
            p[len &+ 1] = UInt8(ascii: "+")
        }
        len &+= 2
        let ed = x >= 100 ? 3 : 2
        writeDigits(UInt64(x), count: ed, to: p + len)
        return len &+ ed
    }
    if decpt <= 0 {
        // 0.000ddd
        p[0] = UInt8(ascii: "0")
        p[1] = UInt8(ascii: ".")
        var i = 2
        while i < 2 &- decpt {
            p[i] = UInt8(ascii: "0")
            i &+= 1
        }
        writeDigits(f, count: n, to: p + i)
        return trimZeros(p, i &+ n, keeping: i &+ 1)
    }
    if decpt >= n {
        // ddd000.0
        writeDigits(f, count: n, to: p)
        var i = n
        while i < decpt {
            p[i] = UInt8(ascii: "0")
            i &+= 1
        }
        p[i] = UInt8(ascii: ".")
        p[i &+ 1] = UInt8(ascii: "0")
        return i &+ 2
    }
    // dd.ddd
    writeDigits(f, count: n, to: p + 1)
    var i = 0
    while i < decpt {
        p[i] = p[i &+ 1]
        i &+= 1
    }
    p[decpt] = UInt8(ascii: ".")
    return trimZeros(p, n &+ 1, keeping: decpt &+ 2)
}

/// Writes `NaN`, `Infinity`, `-Infinity`, `0.0` or `-0.0`; returns the byte count.
@inline(never)
private func writeSpecial(isNaN: Bool, isInfinite: Bool, negative: Bool, to p: UnsafeMutablePointer<UInt8>) -> Int {
    let text: StaticString
    if isNaN {
        text = "NaN"
    } else if isInfinite {
        text = negative ? "-Infinity" : "Infinity"
    } else {
        text = negative ? "-0.0" : "0.0"
    }
    let n = text.utf8CodeUnitCount
    p.update(from: text.utf8Start, count: n)
    return n
}

/// Where a number's text goes after its sign (`signBit` 1 for negative): the sign without a
/// branch (it is a coin flip), as a minus always written at `p` and kept only for a negative
/// value.
@_transparent
func afterSign(at p: UnsafeMutablePointer<UInt8>, signBit: Int) -> UnsafeMutablePointer<UInt8> {
    p[0] = UInt8(ascii: "-")
    return p + signBit
}

/// `0.0` at `q` (after the sign, if any): 3 bytes.
@inline(__always)
private func writeZero(to q: UnsafeMutablePointer<UInt8>) -> Int {
    q[0] = UInt8(ascii: "0")
    q[1] = UInt8(ascii: ".")
    q[2] = UInt8(ascii: "0")
    return 3
}

/// The shortest-closest decimal of `v`, or digits 0 for zero and non-finite values;
/// see the `Float` overload.
@_transparent
func shortestDigits(_ v: Double) -> (digits: UInt64, exponent: Int) {
    guard v.isFinite && v != 0 else { return (0, 0) }
    return shortestDecimal(v)
}

/// Writes the shortest round-trip JSON text of `v`, whose `shortestDigits` are
/// `(d, e)`, at `p` (room for `maxNumberTextBytes` needed); returns the byte count.
@_transparent
func formatShortest(_ v: Double, digits d: UInt64, exponent e: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
    let q = afterSign(at: p, signBit: Int(truncatingIfNeeded: v.bitPattern >> (UInt64.bitWidth - 1)))
    guard d != 0 else {
        guard v == 0 else { return writeSpecial(isNaN: v.isNaN, isInfinite: v.isInfinite, negative: v.sign == .minus, to: p) }
        return writeZero(to: q) &+ (q - p)
    }
    return layoutDecimal(digits: d, exponent: e, to: q) &+ (q - p)
}

/// Writes the shortest round-trip JSON text of `v` at `p` (room for
/// `maxNumberTextBytes` needed); returns the byte count.
@inline(__always)
func formatShortest(_ v: Double, to p: UnsafeMutablePointer<UInt8>) -> Int {
    let (d, e) = shortestDigits(v)
    return formatShortest(v, digits: d, exponent: e, to: p)
}

/// The shortest-closest decimal of `v` as `shortestDecimal` gives it, or digits 0 for
/// the values `formatShortest(_:digits:exponent:to:)` writes another way (zero,
/// non-finite, and the one exception below). Separate from the layout so that a
/// writer can find the digits of several values before laying any out: their long
/// multiply chains then overlap instead of waiting on each other's output position.
@_transparent
func shortestDigits(_ v: Float) -> (digits: UInt64, exponent: Int) {
    // The one Float (with its negative) whose shortest text, read as a Double and then rounded
    // to Float, lands on its neighbour: 7.038531e-26 → 0x15ae43fe. A search over all 2^32
    // Floats (`dense-bench json-verify`) found no other; nine digits read back right both ways.
    guard v.isFinite && v != 0 && v.bitPattern & 0x7FFF_FFFF != 0x15AE_43FD else { return (0, 0) }
    return shortestDecimal(v)
}

/// Writes the shortest round-trip JSON text of `v`, whose `shortestDigits` are
/// `(d, e)`, at `p` (room for `maxNumberTextBytes` needed); returns the byte count.
@_transparent
func formatShortest(_ v: Float, digits d: UInt64, exponent e: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
    let q = afterSign(at: p, signBit: Int(truncatingIfNeeded: v.bitPattern >> (UInt32.bitWidth - 1)))
    guard d != 0 else {
        // Zero is common (half of a relu layer's outputs): written here, not out of line.
        guard v == 0 else { return formatUnusual(v, to: p) }
        return writeZero(to: q) &+ (q - p)
    }
    if d < 1_000_000_000 {
        // The common case, inline: a fraction with at most 9 + 3 digits after the point.
        let digits = decimalDigitBytes16(nineDigits: d)
        let n = decimalDigitCount(digitBytes: digits)
        let decpt = n &+ e
        if e < 0, decpt > -4 { return layoutFixedFraction(digitBytes: digits, count: n, decpt: decpt, to: q) &+ (q - p) }
    }
    return layoutDecimal(digits: d, exponent: e, to: q) &+ (q - p)
}

/// Zero, non-finite values, and the one Float `shortestDigits` leaves out.
@inline(never)
private func formatUnusual(_ v: Float, to p: UnsafeMutablePointer<UInt8>) -> Int {
    guard v.isFinite && v != 0 else {
        return writeSpecial(isNaN: v.isNaN, isInfinite: v.isInfinite, negative: v.sign == .minus, to: p)
    }
    let q = p + (v.sign == .minus ? 1 : 0)
    p[0] = UInt8(ascii: "-")
    return layoutDecimal(digits: 703_853_069, exponent: -34, to: q) &+ (q - p)
}

/// Writes the shortest round-trip JSON text of `v` at `p` (room for
/// `maxNumberTextBytes` needed); returns the byte count.
@inline(__always)
func formatShortest(_ v: Float, to p: UnsafeMutablePointer<UInt8>) -> Int {
    let (d, e) = shortestDigits(v)
    return formatShortest(v, digits: d, exponent: e, to: p)
}
