/// SplitMix64 (Steele, Lea and Flood 2014): a small, fast, well-mixed 64-bit generator, so
/// that a test's random inputs are the same on every run and a failure reproduces.
///
/// Each `next()` adds the golden-ratio increment to `state` and returns the state mixed by
/// two xor-shift-multiply rounds. Not for anything that needs unpredictability.
public struct SplitMix64: RandomNumberGenerator {
    public var state: UInt64

    /// A generator whose first output is the mix of `seed + 0x9E3779B97F4A7C15`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
