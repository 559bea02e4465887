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

/// A scalar OpenBLAS multiplies: `Float` (s) and `Double` (d).
public protocol BLASScalar: DenseScalar {
    /// OpenBLAS `C = A·B` for row-major `A[m×k]`, `B[k×n]`, `C[m×n]`.
    static func blasGEMM(m: Int, n: Int, k: Int, a: UnsafePointer<Self>, b: UnsafePointer<Self>, c: UnsafeMutablePointer<Self>)
}

extension Float: BLASScalar {
    public static func blasGEMM(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>
    ) {
        if m == 1 {
            // One row: y[n] = Bᵀ[n×k]·x[k].
            cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), 1, b, Int32(n), a, 1, 0, c, 1)
            return
        }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, c,
            Int32(n))
    }
}

extension Double: BLASScalar {
    public static func blasGEMM(
        m: Int, n: Int, k: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>
    ) {
        if m == 1 {
            cblas_dgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), 1, b, Int32(n), a, 1, 0, c, 1)
            return
        }
        cblas_dgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, c,
            Int32(n))
    }
}
