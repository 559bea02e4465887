import Foundation

/// `dense-bench <subcommand> [--option value …]`: benchmarks with same-run baselines, and
/// `json-verify`'s exhaustive checks. Release builds only.
@main
struct DenseBenchCommand {
    static let usage = """
        usage: dense-bench [subcommand] [--option value ...]   (release builds: swift build -c release --product dense-bench)
          gemm          Dense forward x·W + b against numpy and OpenBLAS; packing; accuracy (GEMM_ROUNDS, default 3)
          json          the service's tensor JSON decode (parse + check + float32) and encode against json+numpy and orjson
          json-codec    TensorJSON alone: parse, parse + flatten, nested Float/Double writes, Float.description, against
                        orjson, json and numpy    [--rows 1000] [--cols 1000] [--runs 7] [--python-runs 5]
          json-profile  our JSON encoder and decoder alone in a loop, for perf record
                        [--n 1000000] [--iterations 30] [--only all|encode|small] [--type float|double]
                        [--data uniform|activations]
          json-verify   every Float's text (or N random), random Doubles and parsed literals against the stdlib;
                        fails on any difference    [--floats all|N] [--doubles 20000000] [--parse 5000000]
          keras         opening and reading a 64 MB Keras file against a copy and zipfile + h5py (DENSE_KERAS_VENV)
          grpc          ModelInferRequest decode and response framing against Python protobuf (DENSE_GRPC_VENV)
          sha256        the weights digest's SHA-256, SHA-NI and portable C, against Python's hashlib
          all           gemm, then json (the default)
          help          this text
        """

    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let mode = arguments.first ?? "all"
        let rest = Array(arguments.dropFirst())
        do {
            if ["gemm", "json", "keras", "grpc", "sha256", "all"].contains(mode) { _ = try BenchOptions(rest, known: []) }
            switch mode {
            case "gemm": try GEMMBench.run()
            case "json": try JSONBench.run()
            case "json-codec": try JSONCodecBench.run(BenchOptions(rest, known: JSONCodecBench.options))
            case "json-profile": try JSONCodecBench.profile(BenchOptions(rest, known: JSONCodecBench.profileOptions))
            case "json-verify": try JSONVerify.run(BenchOptions(rest, known: JSONVerify.options))
            case "keras": try KerasBench.run()
            case "grpc": try GRPCBench.run()
            case "sha256": SHA256Bench.run()
            case "all":
                try GEMMBench.run()
                print()
                try JSONBench.run()
            case "help", "--help", "-h": print(usage)
            default:
                FileHandle.standardError.write(Data((usage + "\n").utf8))
                exit(64)
            }
        } catch {
            FileHandle.standardError.write(Data("dense-bench \(mode): \(error)\n".utf8))
            exit(1)
        }
    }
}
