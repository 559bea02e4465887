import DenseKernel

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// What computes: DenseServe's own kernel (every forward pass) and the OpenBLAS core (the
/// benchmark baseline and anything else that calls BLAS), with the start-up step that keeps
/// OpenBLAS off a generic fallback core.
///
/// Debian 12's OpenBLAS 0.3.21 does not know some new CPUs (Intel family 6 model 207) and
/// runs its Prescott (SSE3) kernels there, 4–6× slower. OpenBLAS picks its core when the
/// library loads, before `main`, reading `OPENBLAS_CORETYPE`; so when it fell back to a
/// pre-AVX2 core on a CPU with AVX2 or AVX-512, ``selectBLASCore()`` sets the variable and
/// re-executes the binary once. A value the user set is respected.
public enum ComputeBackend {
    /// How the OpenBLAS core was chosen.
    public enum BLASCoreSource: String, Sendable {
        /// OpenBLAS's own detection, kept.
        case detected
        /// `OPENBLAS_CORETYPE` set by the user.
        case environment
        /// Set by DenseServe at start-up because the detected core was a generic fallback.
        case selected
    }

    /// The environment variable that marks the one re-execution (its value: the core it replaced).
    static let marker = "DENSE_BLAS_CORE_REPLACED"

    /// Cores without AVX2 kernels: what OpenBLAS falls back to on a CPU it does not know.
    static let genericCores: Set<String> = [
        "Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2", "Penryn", "Dunnington", "Nehalem",
        "Sandybridge", "Opteron", "Opteron_SSE3", "Barcelona", "Bobcat", "Bulldozer", "Piledriver", "Nano", "Unknown",
    ]

    /// Re-executes the process with `OPENBLAS_CORETYPE` set when OpenBLAS fell back to a
    /// generic core on a CPU that has AVX2 or AVX-512. Call first thing in `main`, before any
    /// thread starts; returns (without re-executing) when nothing needs to change, when the
    /// user set `OPENBLAS_CORETYPE`, or after the one re-execution.
    public static func selectBLASCore() {
        let environment = ProcessInfo.processInfo.environment
        guard let better = coreToSelect(current: GEMM.blasCoreName, recommended: GEMM.recommendedBLASCore, environment: environment)
        else { return }
        setenv("OPENBLAS_CORETYPE", better, 1)
        setenv(marker, GEMM.blasCoreName, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when exec failed: carry on with the slow core rather than not at all.
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(marker)
    }

    /// The core to re-execute with, or nil to keep `current`: only when `current` is a generic
    /// fallback, the CPU has a better one, the user set no `OPENBLAS_CORETYPE` and this is not
    /// already the re-executed process.
    static func coreToSelect(current: String, recommended: String?, environment: [String: String]) -> String? {
        // OpenBLAS ignores an empty value, so an empty one is no choice of the user's.
        guard (environment["OPENBLAS_CORETYPE"] ?? "").isEmpty, environment[marker] == nil else { return nil }
        guard genericCores.contains(current), let recommended, recommended != current else { return nil }
        return recommended
    }

    /// How the current OpenBLAS core was chosen.
    public static var blasCoreSource: BLASCoreSource {
        let environment = ProcessInfo.processInfo.environment
        if environment[marker] != nil { return .selected }
        return (environment["OPENBLAS_CORETYPE"] ?? "").isEmpty ? .detected : .environment
    }

    /// The core OpenBLAS fell back to before DenseServe replaced it, if it did.
    public static var replacedBLASCore: String? { ProcessInfo.processInfo.environment[marker] }

    /// Log metadata: the kernel, the BLAS core and how it was chosen.
    public static var summary: [String: String] {
        var out = ["kernel": GEMM.kernelName, "blas_core": GEMM.blasCoreName, "blas_core_source": blasCoreSource.rawValue]
        if let replaced = replacedBLASCore { out["blas_core_replaced"] = replaced }
        return out
    }
}
