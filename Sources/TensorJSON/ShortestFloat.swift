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

/// Room `formatShortest` needs: at most 24 bytes for a Double
/// (`-2.2250738585072014e-308`), 19 for a Float (`-1234567800000000.0`).
let maxNumberTextBytes = 32

// MARK: - Double

@inline(__always)
private func ropDouble(_ g1: UInt64, _ g0: UInt64, _ cp: UInt64) -> UInt64 {
    let x1 = g0.multipliedFullWidth(by: cp).high
    let (y1, y0) = g1.multipliedFullWidth(by: cp)
    let z = (y0 >> 1) &+ x1
    let vbp = y1 &+ (z >> 63)
    return vbp | (((z & 0x7FFF_FFFF_FFFF_FFFF) &+ 0x7FFF_FFFF_FFFF_FFFF) >> 63)
}

@inline(__always)
private func schubfachDouble(q: Int, c: UInt64, dk: Int) -> (digits: UInt64, exponent: Int) {
    let out = c & 1
    let cb = c << 2
    let cbr = cb &+ 2
    let cbl: UInt64
    let k: Int
    if c != 1 << 52 || q == -1074 {
        cbl = cb &- 2
        k = flog10pow2(q)
    } else {
        cbl = cb &- 1
        k = flog10ThreeQuartersPow2(q)
    }
    let h = UInt64(q &+ flog2pow10(-k) &+ 2)
    let i = 2 &* (k &+ 324)
    let g1 = schubfachG[i]
    let g0 = schubfachG[i &+ 1]
    let vb = ropDouble(g1, g0, cb << h)
    let vbl = ropDouble(g1, g0, cbl << h)
    let vbr = ropDouble(g1, g0, cbr << h)
    let s = vb >> 2
    if q == -1074 {
        // Lowest binade: a subnormal's rounding interval can hold decimals several
        // digits shorter than s, which the two-candidate search below would miss.
        if let r = shortestInLowestBinade(s: s, vb: vb, vbl: vbl, vbr: vbr, out: out) { return (r, k) }
    }
    if s >= 100 {
        let sp10 = 10 &* (s / 10)
        let tp10 = sp10 &+ 10
        let upin = vbl &+ out <= sp10 << 2
        let wpin = (tp10 << 2) &+ out <= vbr
        if upin != wpin { return (upin ? sp10 : tp10, k &+ dk) }
    }
    let t = s &+ 1
    let uin = vbl &+ out <= s << 2
    let win = (t << 2) &+ out <= vbr
    if uin != win { return (uin ? s : t, k &+ dk) }
    let cmp = Int64(bitPattern: vb &- ((s &+ t) << 1))
    return (cmp < 0 || (cmp == 0 && s & 1 == 0) ? s : t, k &+ dk)
}

/// Shortest-closest decimal `digits * 10^exponent` of a finite, nonzero |v|
/// (`digits` may carry trailing zeros).
@inline(__always)
func shortestDecimal(_ v: Double) -> (digits: UInt64, exponent: Int) {
    let bits = v.bitPattern
    let t = bits & ((1 << 52) - 1)
    let bq = Int(truncatingIfNeeded: (bits >> 52) & 0x7FF)
    if bq != 0 {
        let mq = 1075 &- bq
        let c = (1 << 52) | t
        if mq > 0 && mq < 53 {
            let f = c >> UInt64(mq)
            if f << UInt64(mq) == c { return (f, 0) }
        }
        return schubfachDouble(q: -mq, c: c, dk: 0)
    }
    // Subnormal. (Java's C_TINY scaling is skipped: it exists to give at least two
    // digits, and we want the shortest, e.g. 5e-324.)
    return schubfachDouble(q: -1074, c: t, dk: 0)
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

@inline(__always)
private func schubfachFloat(q: Int, c: UInt64, dk: Int) -> (digits: UInt64, exponent: Int) {
    let out = c & 1
    let cb = c << 2
    let cbr = cb &+ 2
    let cbl: UInt64
    let k: Int
    if c != 1 << 23 || q == -149 {
        cbl = cb &- 2
        k = flog10pow2(q)
    } else {
        cbl = cb &- 1
        k = flog10ThreeQuartersPow2(q)
    }
    let h = UInt64(q &+ flog2pow10(-k) &+ 33)
    let g = schubfachG[2 &* (k &+ 324)] &+ 1
    let vb = ropFloat(g, cb << h)
    let vbl = ropFloat(g, cbl << h)
    let vbr = ropFloat(g, cbr << h)
    let s = vb >> 2
    if q == -149 {
        // Lowest binade: a subnormal's rounding interval can hold decimals several
        // digits shorter than s, which the two-candidate search below would miss.
        if let r = shortestInLowestBinade(s: s, vb: vb, vbl: vbl, vbr: vbr, out: out) { return (r, k) }
    }
    if s >= 100 {
        let sp10 = 10 &* (s / 10)
        let tp10 = sp10 &+ 10
        let upin = vbl &+ out <= sp10 << 2
        let wpin = (tp10 << 2) &+ out <= vbr
        if upin != wpin { return (upin ? sp10 : tp10, k &+ dk) }
    }
    let t = s &+ 1
    let uin = vbl &+ out <= s << 2
    let win = (t << 2) &+ out <= vbr
    if uin != win { return (uin ? s : t, k &+ dk) }
    let cmp = Int64(bitPattern: vb &- ((s &+ t) << 1))
    return (cmp < 0 || (cmp == 0 && s & 1 == 0) ? s : t, k &+ dk)
}

/// Shortest-closest decimal `digits * 10^exponent` of a finite, nonzero |v|.
@inline(__always)
func shortestDecimal(_ v: Float) -> (digits: UInt64, exponent: Int) {
    let bits = UInt64(v.bitPattern)
    let t = bits & ((1 << 23) - 1)
    let bq = Int(truncatingIfNeeded: (bits >> 23) & 0xFF)
    if bq != 0 {
        let mq = 150 &- bq
        let c = (1 << 23) | t
        if mq > 0 && mq < 24 {
            let f = c >> UInt64(mq)
            if f << UInt64(mq) == c { return (f, 0) }
        }
        return schubfachFloat(q: -mq, c: c, dk: 0)
    }
    return schubfachFloat(q: -149, c: t, dk: 0)  // subnormal
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
@inline(__always)
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

/// Writes the shortest round-trip JSON text of `v` at `p` (room for
/// `maxNumberTextBytes` needed); returns the byte count.
@inline(__always)
func formatShortest(_ v: Double, to p: UnsafeMutablePointer<UInt8>) -> Int {
    guard v.isFinite && v != 0 else {
        return writeSpecial(isNaN: v.isNaN, isInfinite: v.isInfinite, negative: v.sign == .minus, to: p)
    }
    var q = p
    if v.sign == .minus {
        q[0] = UInt8(ascii: "-")
        q += 1
    }
    let (d, e) = shortestDecimal(v)
    return layoutDecimal(digits: d, exponent: e, to: q) &+ (q - p)
}

/// Writes the shortest round-trip JSON text of `v` at `p` (room for
/// `maxNumberTextBytes` needed); returns the byte count.
@inline(__always)
func formatShortest(_ v: Float, to p: UnsafeMutablePointer<UInt8>) -> Int {
    guard v.isFinite && v != 0 else {
        return writeSpecial(isNaN: v.isNaN, isInfinite: v.isInfinite, negative: v.sign == .minus, to: p)
    }
    var q = p
    if v.sign == .minus {
        q[0] = UInt8(ascii: "-")
        q += 1
    }
    // The one Float (with its negative) whose shortest text, read as a Double and then rounded
    // to Float, lands on its neighbour: 7.038531e-26 → 0x15ae43fe. A search over all 2^32
    // Floats (`tensorjson-bench verify`) found no other; nine digits read back right both ways.
    if v.bitPattern & 0x7FFF_FFFF == 0x15AE_43FD {
        return layoutDecimal(digits: 703_853_069, exponent: -34, to: q) &+ (q - p)
    }
    let (d, e) = shortestDecimal(v)
    return layoutDecimal(digits: d, exponent: e, to: q) &+ (q - p)
}
