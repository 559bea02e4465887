/// Whether `actual` is within `atol + rtol · |expected|` of `expected`: numpy's `isclose`,
/// asymmetric on purpose (the relative part scales with the reference, never with the value
/// under test). A NaN on either side is close to nothing.
public func isClose(_ actual: Double, _ expected: Double, rtol: Double, atol: Double) -> Bool {
    abs(actual - expected) <= atol + rtol * abs(expected)
}

/// Whether both arrays have the same count and every element of `actual` is close to the
/// element of `expected` at its index (the scalar `isClose`).
public func isClose(_ actual: [Double], _ expected: [Double], rtol: Double, atol: Double) -> Bool {
    actual.count == expected.count && zip(actual, expected).allSatisfy { isClose($0, $1, rtol: rtol, atol: atol) }
}
