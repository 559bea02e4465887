import CBLAS
import RealModule

/// Matrix multiply backends: OpenBLAS for speed, a naive loop as the test oracle.
public enum GEMM {
    /// Pins OpenBLAS to one thread. Parallelism comes from splitting rows across workers:
    /// with two BLAS threads a GEMM that takes 58 µs alone took 16–24 ms whenever the other
    /// core was busy (measured on the target machine).
    public static func useSingleThreadedBLAS() {
        openblas_set_num_threads(1)
    }

    /// Sets the OpenBLAS thread count (benchmarks only).
    public static func setBLASThreads(_ count: Int) {
        openblas_set_num_threads(Int32(count))
    }

    /// Reference kernel: `C[m×n] = A[m×k]·B[k×n] (+ C)`, row-major, in the order of a dot
    /// product per output element. The oracle every fast path is checked against.
    public static func reference<T: DenseScalar>(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<T>, b: UnsafePointer<T>, c: UnsafeMutablePointer<T>, accumulate: Bool
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: T = accumulate ? c[i * n + j] : 0
                for p in 0..<k { sum += a[i * k + p] * b[p * n + j] }
                c[i * n + j] = sum
            }
        }
    }
}

extension Float: DenseScalar {
    @inlinable
    public static func gemm(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, accumulate: Bool
    ) {
        if m == 1 {
            // One row: y[n] = Bᵀ[n×k]·x[k]; GEMV skips GEMM's packing, which dominates here.
            cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), 1, b, Int32(n), a, 1, accumulate ? 1 : 0, c, 1)
            return
        }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
            1, a, Int32(k), b, Int32(n), accumulate ? 1 : 0, c, Int32(n))
    }
    public static func storage(_ values: [Float]) -> TensorStorage { .float32(values) }
    public static func values(of storage: TensorStorage) -> [Float] {
        if case .float32(let values) = storage.converted(to: .float32) { return values }
        preconditionFailure("unreachable: converted to float32")
    }
    public static var dtype: DType { .float32 }
}

extension Double: DenseScalar {
    @inlinable
    public static func gemm(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Double>, b: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>, accumulate: Bool
    ) {
        if m == 1 {
            cblas_dgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), 1, b, Int32(n), a, 1, accumulate ? 1 : 0, c, 1)
            return
        }
        cblas_dgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
            1, a, Int32(k), b, Int32(n), accumulate ? 1 : 0, c, Int32(n))
    }
    public static func storage(_ values: [Double]) -> TensorStorage { .float64(values) }
    public static func values(of storage: TensorStorage) -> [Double] {
        if case .float64(let values) = storage.converted(to: .float64) { return values }
        preconditionFailure("unreachable: converted to float64")
    }
    public static var dtype: DType { .float64 }
}
