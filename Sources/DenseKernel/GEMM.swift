import CDenseGEMM
import RealModule

/// Matrix multiply backends: DenseServe's batch-invariant kernel (``PackedKernel``) for every
/// forward pass and a naive loop as the test oracle (OpenBLAS, the benchmark baseline, is in
/// `DenseBLAS`, which the server does not link).
///
/// The invariance guarantee: every output element is computed by the same sequence of IEEE
/// operations — per K-block of 256, a fused-multiply-add chain from zero in increasing k, the
/// blocks' sums added in order — whatever the row count, the row's position, the column split
/// or the instruction set (AVX-512, AVX2 + FMA and scalar `fma` give the same bits). So a row's
/// output depends only on the row and the weights.
public enum GEMM {
    /// The instruction set a kernel runs on.
    public enum ISA: Int, Sendable, CaseIterable, Comparable {
        case scalar = 0
        case avx2 = 1
        case avx512 = 2

        /// The name logged and reported (`avx512`, `avx2`, `scalar`).
        public var name: String { String(cString: dk_isa_name(cValue)) }

        @usableFromInline var cValue: dk_isa { dk_isa(rawValue: UInt32(rawValue)) }

        /// Looks up an ISA by its reported name.
        public init?(name: String) {
            guard let isa = ISA.allCases.first(where: { $0.name == name }) else { return nil }
            self = isa
        }

        public static func < (lhs: ISA, rhs: ISA) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The best instruction set this CPU and OS support (CPUID and XGETBV), used by default.
    public static let isa: ISA = ISA(rawValue: Int(dk_best_isa().rawValue)) ?? .scalar

    /// The name of the compute kernel in use, for logs and `GET /v2` (`avx512`, ...).
    public static var kernelName: String { isa.name }

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

/// The C kernel behind ``DenseScalar/packedGEMM(isa:m:n:k:x:packed:y:panelBegin:panelEnd:)``
/// for one float type, so the Swift around it is written once.
public struct GEMMFunctions<T>: Sendable {
    /// `dk_gemm_f32` / `dk_gemm_f64`: the batch-invariant kernel.
    @usableFromInline let packed:
        @Sendable (dk_isa, Int, Int, Int, UnsafePointer<T>?, UnsafePointer<T>?, UnsafeMutablePointer<T>?, Int, Int) -> Void
}

extension DenseScalar {
    /// The batch-invariant kernel of ``PackedKernel``: `y[m×n] = x[m×k]·W` for the panels
    /// `[panelBegin, panelEnd)` of a packed `W`.
    @inlinable
    public static func packedGEMM(
        isa: GEMM.ISA, m: Int, n: Int, k: Int, x: UnsafePointer<Self>, packed: UnsafeRawPointer,
        y: UnsafeMutablePointer<Self>, panelBegin: Int, panelEnd: Int
    ) {
        gemmFunctions.packed(isa.cValue, m, n, k, x, packed.assumingMemoryBound(to: Self.self), y, panelBegin, panelEnd)
    }

    /// Unwraps storage, converting when the dtype differs.
    public static func values(of storage: TensorStorage) -> [Self] {
        guard let values = stored(storage.converted(to: dtype)) else { preconditionFailure("unreachable: converted to \(dtype)") }
        return values
    }
}

extension Float: DenseScalar {
    public static let gemmFunctions = GEMMFunctions<Float>(packed: dk_gemm_f32)
    public static func storage(_ values: [Float]) -> TensorStorage { .float32(values) }
    public static func stored(_ storage: TensorStorage) -> [Float]? { if case .float32(let values) = storage { values } else { nil } }
    public static var dtype: DType { .float32 }
}

extension Double: DenseScalar {
    public static let gemmFunctions = GEMMFunctions<Double>(packed: dk_gemm_f64)
    public static func storage(_ values: [Double]) -> TensorStorage { .float64(values) }
    public static func stored(_ storage: TensorStorage) -> [Double]? { if case .float64(let values) = storage { values } else { nil } }
    public static var dtype: DType { .float64 }
}
