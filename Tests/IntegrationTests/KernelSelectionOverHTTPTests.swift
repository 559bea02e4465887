import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The running server reports its compute kernel and OpenBLAS core (`GET /v2`, `/metrics`),
/// and on a CPU with AVX2 or AVX-512 neither is a generic fallback (Debian's OpenBLAS 0.3.21
/// picks Prescott on CPUs it does not know; the server then re-executes with the right core).
@Suite struct KernelSelectionOverHTTPTests {
    static let genericCores: Set<String> = [
        "Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2", "Penryn", "Dunnington", "Nehalem",
        "Sandybridge", "Opteron", "Opteron_SSE3", "Barcelona", "Bobcat", "Bulldozer", "Piledriver", "Nano", "Unknown",
    ]

    static func cpuFlags() -> Set<Substring> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return [] }
        return Set(line.split(separator: " "))
    }

    static func compute(_ server: ServerProcess) async throws -> (kernel: String, core: String) {
        let result = try await Client.call("GET", server.baseURL + "/v2")
        #expect(result.status == 200)
        return (result.json["dense_kernel"] as? String ?? "", result.json["blas_core"] as? String ?? "")
    }

    @Test func theServerRunsTheBestKernelAndNoGenericBLASCore() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let (kernel, core) = try await Self.compute(server)
        let flags = Self.cpuFlags()
        if flags.contains("avx512f") {
            #expect(kernel == "avx512")
        } else if flags.contains("avx2") && flags.contains("fma") {
            #expect(kernel == "avx2")
        }
        // (Debian's OpenBLAS is built for every core and honours OPENBLAS_CORETYPE.)
        if (ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "").isEmpty && flags.contains("avx2") && flags.contains("fma") {
            #expect(!Self.genericCores.contains(core), "OpenBLAS runs the generic \(core) core on a CPU with AVX2")
        }
        #expect(!core.isEmpty)
        let metrics = try await Client.call("GET", server.baseURL + "/metrics")
        #expect(metrics.text.contains(#"denseserve_compute_info{kernel="\#(kernel)",blas_core="\#(core)"} 1"#), "\(metrics.text)")
    }

    /// A core the user chose with `OPENBLAS_CORETYPE` is kept, even a generic one.
    @Test func aCoreTheUserSetIsKept() async throws {
        guard (ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "").isEmpty else { return }  // the machine's own choice stays
        let server = try ServerProcess(environment: ["OPENBLAS_CORETYPE": "Prescott"])
        defer { server.stop() }
        #expect(try await Self.compute(server).core == "Prescott")
    }
}
