// Decimal → binary64 conversion, correctly rounded (round-half-to-even), as
// Python's float() and C's strtod do.
//
// 1. Clinger's fast path: mantissa ≤ 2^53 and |exp10| ≤ 22: one exact operand,
//    one exact power of ten, one correctly rounded IEEE multiply or divide.
// 2. Eisel-Lemire (as in fast_float, with the no-fallback proof of Mushtak &
//    Lemire) for an exact ≤ 19-digit mantissa: a 64×128-bit product with 5^q.
// 3. More than 19 significant digits: Eisel-Lemire on the first 19 digits w and
//    on w+1; when both round the same, that is the answer.
// 4. Otherwise the stdlib's `Double(Substring)` (correctly rounded) on at most
//    800 significant digits plus one sticky digit, which cannot change the
//    rounding (a halfway point of binary64 has at most 767 significant digits).

/// Exact powers of ten representable in a Double: 1e0 ... 1e22.
let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

/// Bits of +infinity; returned by `eiselLemire` on overflow.
let infinityBits: UInt64 = 0x7FF0_0000_0000_0000

/// Clinger's fast path; nil when it does not apply.
@inline(__always)
func clingerFastPath(_ w: UInt64, _ q: Int) -> Double? {
    guard w <= 1 << 53, q >= -22, q <= 22 else { return nil }
    let m = Double(w)
    return q < 0 ? m / exactPowersOfTen[-q] : m * exactPowersOfTen[q]
}

/// The bits (sign clear) of the Double nearest to `w * 10^q`, ties to even,
/// for an exact `w`; `infinityBits` on overflow, 0 on underflow.
@inline(__always)
func eiselLemire(_ q: Int, _ w: UInt64) -> UInt64 {
    if w == 0 || q < -342 { return 0 }
    if q > 308 { return infinityBits }
    let lz = w.leadingZeroBitCount
    let wn = w << UInt64(lz)
    let index = 2 &* (q &+ 342)
    var (hi, lo) = wn.multipliedFullWidth(by: powersOfFive128[index])
    if hi & 0x1FF == 0x1FF {
        let (hi2, _) = wn.multipliedFullWidth(by: powersOfFive128[index &+ 1])
        let (sum, carry) = lo.addingReportingOverflow(hi2)
        lo = sum
        if carry { hi &+= 1 }
    }
    let upperBit = Int(hi >> 63)
    let shift = UInt64(upperBit &+ 9)
    var mantissa = hi >> shift
    // power(q) = floor(q * log2(10)) + 63; minimum exponent -1023.
    var power2 = ((217_706 &* q) >> 16) &+ 63 &+ upperBit &- lz &+ 1023
    if power2 <= 0 {
        // Subnormal (or zero).
        if -power2 &+ 1 >= 64 { return 0 }
        mantissa >>= UInt64(-power2 &+ 1)
        mantissa &+= mantissa & 1
        mantissa >>= 1
        power2 = mantissa < (1 << 52) ? 0 : 1
        return UInt64(power2) << 52 | mantissa
    }
    // Round half to even: exactly halfway only when the product is exact.
    if lo <= 1, q >= -4, q <= 23, mantissa & 3 == 1, (mantissa << shift) == hi {
        mantissa &= ~1
    }
    mantissa &+= mantissa & 1
    mantissa >>= 1
    if mantissa >= (2 << 52) {
        mantissa = 1 << 52
        power2 &+= 1
    }
    mantissa &= ~(1 << 52)
    if power2 >= 0x7FF { return infinityBits }
    return UInt64(power2) << 52 | mantissa
}

/// Correctly rounded conversion of a decimal with many significant digits.
///
/// `digits` holds every digit of the literal's integer and fraction parts (no
/// sign, point or exponent) — leading zeros allowed; the value is
/// `digits * 10^exp10`. Returns the bits with the sign clear.
func convertLongDecimal(_ digits: UnsafeBufferPointer<UInt8>, fractionDigits: Int, exp10: Int) -> UInt64 {
    // Skip leading zeros.
    var first = 0
    while first < digits.count, digits[first] == UInt8(ascii: "0") || digits[first] == UInt8(ascii: ".") {
        first += 1
    }
    var significant = 0
    for i in first..<digits.count where digits[i] != UInt8(ascii: ".") { significant += 1 }
    if significant == 0 { return 0 }
    // First 19 significant digits.
    var w: UInt64 = 0
    var taken = 0
    var i = first
    while taken < 19, i < digits.count {
        let c = digits[i]
        i += 1
        if c == UInt8(ascii: ".") { continue }
        w = w &* 10 &+ UInt64(c &- 48)
        taken += 1
    }
    var restNonZero = false
    var j = i
    while j < digits.count {
        let c = digits[j]
        if c != UInt8(ascii: "0") && c != UInt8(ascii: ".") {
            restNonZero = true
            break
        }
        j += 1
    }
    // value = D * 10^(exp10 - fractionDigits); D = w * 10^(significant - taken) + rest
    let q = exp10 &- fractionDigits &+ (significant &- taken)
    let a = eiselLemire(q, w)
    if !restNonZero { return a }
    let b = eiselLemire(q, w &+ 1)
    if a == b { return a }
    // Slow path: at most 800 significant digits plus a sticky 1, through the stdlib.
    let keep = 800
    var text = ""
    text.reserveCapacity(min(significant, keep) + 24)
    var kept = 0
    var sticky = false
    var k = first
    while k < digits.count {
        let c = digits[k]
        k += 1
        if c == UInt8(ascii: ".") { continue }
        if kept < keep {
            text.unicodeScalars.append(Unicode.Scalar(c))
            kept += 1
        } else if c != UInt8(ascii: "0") {
            sticky = true
            break
        }
    }
    var scale = exp10 &- fractionDigits &+ (significant &- kept)
    if sticky {
        text.unicodeScalars.append("1")
        scale &-= 1
    }
    text += "e"
    text += String(scale)
    guard let d = Double(Substring(text)) else { return infinityBits }  // cannot happen: text is well-formed
    return d.bitPattern & ~(1 << 63)
}
