import RealModule

/// A Keras weight initializer, reproducible for a given seed.
///
/// Distributions follow Keras 3 (`fan_in` = kernel rows, `fan_out` = kernel columns; a bias
/// has fan_in = fan_out = its length): `glorot_uniform` U(±√(6/(fan_in+fan_out))),
/// `glorot_normal` truncated N(0, √(2/(fan_in+fan_out))/0.8796), `he_*` and `lecun_*` likewise
/// with their scales, `random_uniform` U(minval, maxval) (±0.05), `random_normal` N(mean, stddev)
/// (0, 0.05), `truncated_normal` cut at two standard deviations. The random stream is our
/// own (SplitMix64): bit identity with Keras's RNG is not a goal.
public enum Initializer: Sendable, Equatable {
    case zeros, ones
    case constant(Double)
    case glorotUniform, glorotNormal, heUniform, heNormal, lecunUniform, lecunNormal
    case randomUniform(min: Double, max: Double)
    case randomNormal(mean: Double, stddev: Double)
    case truncatedNormal(mean: Double, stddev: Double)

    /// The snake_case names accepted (Keras class names like `GlorotUniform` are accepted too).
    public static let kerasNames = [
        "constant", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "lecun_normal",
        "lecun_uniform", "ones", "random_normal", "random_uniform", "truncated_normal", "zeros",
    ]

    /// Parses a Keras initializer name (snake_case or class name) with optional config values.
    public init(
        kerasName: String, value: Double? = nil, minval: Double? = nil, maxval: Double? = nil,
        mean: Double? = nil, stddev: Double? = nil, field: String
    ) throws(DenseError) {
        switch Self.snakeCase(kerasName) {
        case "zeros", "zero": self = .zeros
        case "ones", "one": self = .ones
        case "constant": self = .constant(value ?? 0)
        case "glorot_uniform", "xavier_uniform": self = .glorotUniform
        case "glorot_normal", "xavier_normal": self = .glorotNormal
        case "he_uniform": self = .heUniform
        case "he_normal": self = .heNormal
        case "lecun_uniform": self = .lecunUniform
        case "lecun_normal": self = .lecunNormal
        case "random_uniform", "uniform": self = .randomUniform(min: minval ?? -0.05, max: maxval ?? 0.05)
        case "random_normal", "normal": self = .randomNormal(mean: mean ?? 0, stddev: stddev ?? 0.05)
        case "truncated_normal": self = .truncatedNormal(mean: mean ?? 0, stddev: stddev ?? 0.05)
        default: throw .unknownInitializer(name: kerasName, field: field)
        }
    }

    /// `GlorotUniform` → `glorot_uniform`; snake_case passes through.
    static func snakeCase(_ name: String) -> String {
        var out = ""
        for (index, character) in name.enumerated() {
            if character.isUppercase {
                if index > 0 { out.append("_") }
                out.append(contentsOf: character.lowercased())
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// Fills `count` values for a tensor of `shape` (`[in, units]` kernel or `[units]` bias).
    public func values(shape: [Int], seed: UInt64) -> [Double] {
        let count = shape.reduce(1, *)
        let fanIn = Double(shape.count >= 2 ? shape[0] : shape.first ?? 1)
        let fanOut = Double(shape.count >= 2 ? shape[1] : shape.first ?? 1)
        var random = SplitMix64(seed: seed)
        let truncatedScale = 0.87962566103423978  // stddev of N(0,1) truncated at ±2
        switch self {
        case .zeros: return Array(repeating: 0, count: count)
        case .ones: return Array(repeating: 1, count: count)
        case .constant(let value): return Array(repeating: value, count: count)
        case .glorotUniform: return random.uniform(count: count, limit: (6 / (fanIn + fanOut)).squareRoot())
        case .heUniform: return random.uniform(count: count, limit: (6 / fanIn).squareRoot())
        case .lecunUniform: return random.uniform(count: count, limit: (3 / fanIn).squareRoot())
        case .glorotNormal:
            return random.truncatedNormal(count: count, mean: 0, stddev: (2 / (fanIn + fanOut)).squareRoot() / truncatedScale)
        case .heNormal:
            return random.truncatedNormal(count: count, mean: 0, stddev: (2 / fanIn).squareRoot() / truncatedScale)
        case .lecunNormal:
            return random.truncatedNormal(count: count, mean: 0, stddev: (1 / fanIn).squareRoot() / truncatedScale)
        case .randomUniform(let low, let high):
            return (0..<count).map { _ in low + (high - low) * random.nextUnit() }
        case .randomNormal(let mean, let stddev):
            return (0..<count).map { _ in mean + stddev * random.nextGaussian() }
        case .truncatedNormal(let mean, let stddev):
            return random.truncatedNormal(count: count, mean: mean, stddev: stddev)
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a small, fast, well-mixed deterministic generator.
/// Each `next()` adds the golden-ratio increment to the state and returns it mixed by two
/// xor-shift-multiply rounds. The initializers' source, and (public) the benches' and tests'
/// seeded data. Not for anything that needs unpredictability.
public struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    mutating func uniform(count: Int, limit: Double) -> [Double] {
        (0..<count).map { _ in (2 * nextUnit() - 1) * limit }
    }

    /// Standard normal by Box–Muller.
    mutating func nextGaussian() -> Double {
        let u1 = Swift.max(nextUnit(), 0x1p-53)
        let u2 = nextUnit()
        return (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
    }

    /// Normal values redrawn until within two standard deviations.
    mutating func truncatedNormal(count: Int, mean: Double, stddev: Double) -> [Double] {
        (0..<count).map { _ in
            var value = nextGaussian()
            while Swift.abs(value) > 2 { value = nextGaussian() }
            return mean + stddev * value
        }
    }
}
