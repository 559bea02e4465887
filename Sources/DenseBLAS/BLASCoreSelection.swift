#if canImport(Glibc)
    import Glibc
#endif

/// The start-up step that keeps OpenBLAS off a generic fallback core, for the programs that
/// call it (`dense-bench`).
///
/// Debian 12's OpenBLAS 0.3.21 does not know some new CPUs (Intel family 6 model 207) and
/// runs its Prescott (SSE3) kernels there, 4–6× slower. OpenBLAS picks its core when the
/// library loads, before `main`, reading `OPENBLAS_CORETYPE`; so when it fell back to a
/// pre-AVX2 core on a CPU with AVX2 or AVX-512, ``selectCore()`` sets the variable and
/// re-executes the binary once. A value the user set is respected.
public enum BLASCoreSelection {
    /// How the OpenBLAS core was chosen.
    public enum Source: String, Sendable {
        /// OpenBLAS's own detection, kept.
        case detected
        /// `OPENBLAS_CORETYPE` set by the user.
        case environment
        /// Set at start-up because the detected core was a generic fallback.
        case selected
    }

    /// The environment variable that marks the one re-execution (its value: the core it replaced).
    static let marker = "DENSE_BLAS_CORE_REPLACED"

    /// Cores without AVX2 kernels: what OpenBLAS falls back to on a CPU it does not know.
    public static let genericCores: Set<String> = [
        "Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2", "Penryn", "Dunnington", "Nehalem",
        "Sandybridge", "Opteron", "Opteron_SSE3", "Barcelona", "Bobcat", "Bulldozer", "Piledriver", "Nano", "Unknown",
    ]

    /// The variables this step reads, from the process environment.
    static var environment: [String: String] {
        var out: [String: String] = [:]
        for name in ["OPENBLAS_CORETYPE", marker] {
            if let value = getenv(name) { out[name] = String(cString: value) }
        }
        return out
    }

    /// Re-executes the process with `OPENBLAS_CORETYPE` set when OpenBLAS fell back to a
    /// generic core on a CPU that has AVX2 or AVX-512. Call first thing in `main`, before any
    /// thread starts; returns (without re-executing) when nothing needs to change, when the
    /// user set `OPENBLAS_CORETYPE`, or after the one re-execution.
    public static func selectCore() {
        guard let better = coreToSelect(current: BLAS.coreName, recommended: BLAS.recommendedCore, environment: environment)
        else { return }
        setenv("OPENBLAS_CORETYPE", better, 1)
        setenv(marker, BLAS.coreName, 1)
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
    public static var source: Source {
        let environment = environment
        if environment[marker] != nil { return .selected }
        return (environment["OPENBLAS_CORETYPE"] ?? "").isEmpty ? .detected : .environment
    }
}
