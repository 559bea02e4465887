import Foundation

/// `dense-bench [gemm|json|keras|grpc|sha256|all]`: benchmarks with same-run baselines. Release builds only.
@main
struct DenseBenchCommand {
    static func main() {
        let mode = CommandLine.arguments.dropFirst().first ?? "all"
        switch mode {
        case "gemm": GEMMBench.run()
        case "json": JSONBench.run()
        case "keras": KerasBench.run()
        case "grpc": GRPCBench.run()
        case "sha256": SHA256Bench.run()
        case "all":
            GEMMBench.run()
            print()
            JSONBench.run()
        default:
            FileHandle.standardError.write(Data("usage: dense-bench [gemm|json|keras|grpc|sha256|all]\n".utf8))
            exit(64)
        }
    }
}
