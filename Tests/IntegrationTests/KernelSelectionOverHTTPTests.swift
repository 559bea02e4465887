import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The running server reports its compute kernel (`GET /v2`, `/metrics`), the best one this
/// CPU has, and does not load OpenBLAS: no forward pass calls BLAS, so the library (and the
/// start-up step that chose its core) belongs to the benchmarks alone.
@Suite struct KernelSelectionOverHTTPTests {
    static func cpuFlags() -> Set<Substring> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return [] }
        return Set(line.split(separator: " "))
    }

    @Test func theServerRunsTheBestKernel() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let result = try await Client.call("GET", server.baseURL + "/v2")
        #expect(result.status == 200)
        let kernel = result.json["dense_kernel"] as? String ?? ""
        let flags = Self.cpuFlags()
        if flags.contains("avx512f") {
            #expect(kernel == "avx512")
        } else if flags.contains("avx2") && flags.contains("fma") {
            #expect(kernel == "avx2")
        } else {
            #expect(kernel == "scalar")
        }
        #expect(result.json["blas_core"] == nil, "the server reports a BLAS it does not load")
        let metrics = try await Client.call("GET", server.baseURL + "/metrics")
        #expect(metrics.text.contains(#"denseserve_compute_info{kernel="\#(kernel)"} 1"#), "\(metrics.text)")
    }

    /// The process maps no OpenBLAS (nor its libgfortran): 2 MB of idle RSS and a thread less,
    /// and the container image needs neither package.
    @Test func theServerDoesNotLoadOpenBLAS() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let maps = try String(contentsOfFile: "/proc/\(server.process.processIdentifier)/maps", encoding: .utf8)
        #expect(!maps.contains("libopenblas"), "\(maps)")
        #expect(!maps.contains("libgfortran"))
    }
}
