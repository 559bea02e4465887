import DenseBLAS
import DenseKernel
import Testing

/// The benchmark baseline computes what the oracle does: sgemv for one row, sgemm for more,
/// and their double-precision twins.
@Suite struct BLASTests {
    static func check<T: BLASScalar>(_: T.Type, m: Int, n: Int, k: Int, tolerance: T) {
        let a = (0..<(m * k)).map { T($0 % 7) * 0.25 - 0.5 }
        let b = (0..<(k * n)).map { T($0 % 5) * 0.125 - 0.25 }
        var viaBLAS = [T](repeating: 0, count: m * n)
        var oracle = [T](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                viaBLAS.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(m: m, n: n, k: k, a: a.baseAddress!, b: b.baseAddress!, c: c.baseAddress!)
                }
                oracle.withUnsafeMutableBufferPointer { c in
                    GEMM.reference(m: m, n: n, k: k, a: a.baseAddress!, b: b.baseAddress!, c: c.baseAddress!, accumulate: false)
                }
            }
        }
        for i in 0..<(m * n) { #expect(abs(viaBLAS[i] - oracle[i]) <= tolerance, "element \(i) of \(m)×\(n)×\(k)") }
    }

    @Test(arguments: [(1, 9, 13), (3, 9, 13), (17, 33, 64)])
    func blasMatchesTheOracle(m: Int, n: Int, k: Int) {
        Self.check(Float.self, m: m, n: n, k: k, tolerance: 1e-4)
        Self.check(Double.self, m: m, n: n, k: k, tolerance: 1e-12)
    }
}
