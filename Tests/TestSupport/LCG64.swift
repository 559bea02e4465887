/// A 64-bit linear congruential generator with Knuth's MMIX constants:
/// `state ← state · 6364136223846793005 + 1442695040888963407 (mod 2⁶⁴)`.
///
/// The batch-invariance tests' seeded source of values (the kernel's and the routes'): tiny,
/// and the same sequence on every run, so a failure reproduces. Only the top 53 bits of the
/// state are used, as a `Double` in [0, 1).
public struct LCG64 {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    /// Advances once; the top 53 bits of the new state over 2⁵³: a value in [0, 1).
    public mutating func nextUnit() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) / Double(1 << 53)
    }

    /// Advances once; `2 · nextUnit() − 1`: a value in [-1, 1) (exact: no rounding).
    public mutating func nextSigned() -> Double { nextUnit() * 2 - 1 }

    /// `count` values of `nextSigned()`.
    public mutating func signedValues(_ count: Int) -> [Double] { (0..<count).map { _ in nextSigned() } }

    /// Advances once; an index in `0..<bound` (`bound` ≥ 1): `⌊nextUnit() · bound⌋`, which is
    /// below `bound` for any `bound` < 2⁵³ (the clamp only documents it).
    public mutating func index(below bound: Int) -> Int { min(bound - 1, Int(nextUnit() * Double(bound))) }
}
