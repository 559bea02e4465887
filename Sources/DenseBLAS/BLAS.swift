import CBLAS
import CDenseGEMM
import DenseKernel

/// OpenBLAS, the baseline DenseServe's own kernel is measured against (`dense-bench gemm`).
/// Not batch-invariant, so never a forward pass: `dense-server` does not link it, only the
/// benchmarks do.
public enum BLAS {
    /// The core OpenBLAS chose for itself (`SkylakeX`, `Haswell`, `Prescott`, …).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The OpenBLAS core whose kernels fit this CPU's vector instructions (`SkylakeX` with
    /// AVX-512 F/DQ/BW/VL, `Haswell` with AVX2 + FMA), or nil.
    public static var recommendedCore: String? { dk_blas_core_for_cpu().map { String(cString: $0) } }

    /// Pins OpenBLAS to one thread, as the kernel it is compared with runs on one: with two
    /// BLAS threads a GEMM that takes 58 µs alone took 16–24 ms whenever the other core was
    /// busy (measured on the target machine).
    public static func useSingleThread() {
        openblas_set_num_threads(1)
    }

    /// `C = A·B`, row-major `A[m×k]`, `B[k×n]`, `C[m×n]` (sgemm/dgemm; sgemv/dgemv for one
    /// row, where GEMM's packing dominates).
    public static func gemm<T: BLASScalar>(
        m: Int, n: Int, k: Int, a: UnsafePointer<T>, b: UnsafePointer<T>, c: UnsafeMutablePointer<T>
    ) {
        T.blasGEMM(m: m, n: n, k: k, a: a, b: b, c: c)
    }
}

/// `cblas_?gemv`'s signature for element type `T`.
public typealias BLASGEMV<T> = (
    CBLAS_ORDER, CBLAS_TRANSPOSE, Int32, Int32, T, UnsafePointer<T>?, Int32, UnsafePointer<T>?, Int32, T,
    UnsafeMutablePointer<T>?, Int32
) -> Void

/// `cblas_?gemm`'s signature for element type `T`.
public typealias BLASGEMM<T> = (
    CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, Int32, Int32, Int32, T, UnsafePointer<T>?, Int32, UnsafePointer<T>?,
    Int32, T, UnsafeMutablePointer<T>?, Int32
) -> Void

/// A scalar OpenBLAS multiplies: `Float` (s) and `Double` (d), through its gemv and gemm.
public protocol BLASScalar: DenseScalar {
    /// `cblas_sgemv` / `cblas_dgemv`.
    static var gemv: BLASGEMV<Self> { get }
    /// `cblas_sgemm` / `cblas_dgemm`.
    static var gemm: BLASGEMM<Self> { get }
}

extension BLASScalar {
    /// OpenBLAS `C = A·B` for row-major `A[m×k]`, `B[k×n]`, `C[m×n]`.
    static func blasGEMM(m: Int, n: Int, k: Int, a: UnsafePointer<Self>, b: UnsafePointer<Self>, c: UnsafeMutablePointer<Self>) {
        if m == 1 {
            // One row: y[n] = Bᵀ[n×k]·x[k].
            gemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), 1, b, Int32(n), a, 1, 0, c, 1)
            return
        }
        gemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, c,
            Int32(n))
    }
}

extension Float: BLASScalar {
    public static var gemv: BLASGEMV<Float> { cblas_sgemv }
    public static var gemm: BLASGEMM<Float> { cblas_sgemm }
}

extension Double: BLASScalar {
    public static var gemv: BLASGEMV<Double> { cblas_dgemv }
    public static var gemm: BLASGEMM<Double> { cblas_dgemm }
}
