import DenseKernel

/// The tests' seeded generator of random inputs, so that a failure reproduces: DenseKernel's
/// `SplitMix64` (the one the initializers draw from), `SplitMix64(seed:)` then `next()`.
public typealias SplitMix64 = DenseKernel.SplitMix64
