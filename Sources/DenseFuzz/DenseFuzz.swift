// `dense-fuzz`: the libFuzzer targets over the service's decoders (see Fuzz/README.md).
//
// Built for fuzzing with `-D DENSE_LIBFUZZER -sanitize=fuzzer,address` (Fuzz/run-dense-fuzz.sh),
// `main` hands the chosen target to libFuzzer (`LLVMFuzzerRunDriver`). In an ordinary build it
// is a replayer, `dense-fuzz TARGET FILE|DIR…`, that runs files through a target without
// libFuzzer (a crash found by fuzzing reproduces the same way, and the tests replay the corpus).
@_spi(Fuzzing) import GRPCCore
@_spi(Fuzzing) import HTTPServer
@_spi(Fuzzing) import InferenceService
@_spi(Fuzzing) import KerasFile

#if canImport(Glibc)
    import Glibc
#endif

enum FuzzTarget: String, CaseIterable {
    /// `POST /v1/dense` / PUT bodies: DenseRequest.decode → ModelDecoder → plan → forward → file round trip.
    case model
    /// V2 infer bodies with binary framing (`Inference-Header-Content-Length`).
    case v2
    /// gzip request-body inflation with a small limit.
    case gzip
    /// Keras model files (.keras zip, .h5, .weights.h5): KerasModelFile, then every dataset and attribute.
    case keras
    /// Model store files (version 2: JSON header, raw weights, digest): read, then written and read again.
    case store
    /// gRPC unary bodies: deframing, then every GRPCCore message type decoded, re-encoded and
    /// decoded again (equal), plus grpc-timeout and grpc-message percent-encoding.
    case grpc

    func run(_ bytes: [UInt8]) {
        switch self {
        case .model: InferenceFuzzing.denseRequest(bytes)
        case .v2: InferenceFuzzing.v2Request(bytes)
        case .gzip: HTTPServerFuzzing.gzipInflate(bytes)
        case .keras: KerasFileFuzzing.open(bytes)
        case .store: InferenceFuzzing.storeFile(bytes)
        case .grpc: GRPCCoreFuzzing.run(bytes)
        }
    }
}

func printError(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

#if DENSE_LIBFUZZER
    /// libFuzzer's entry point for programs that keep their own `main` (SwiftPM's executable
    /// targets have one), in `libclang_rt.fuzzer` when linked with `-sanitize=fuzzer`.
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    nonisolated(unsafe) private var selected: FuzzTarget = .model

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        selected.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    /// `dense-fuzz TARGET [libFuzzer flags and corpus dirs]`; the target is also kept in
    /// `DENSE_FUZZ_TARGET`, so the workers libFuzzer starts with `-jobs` find it.
    @main enum DenseFuzzMain {
        static func main() {
            var arguments = CommandLine.arguments
            if arguments.count > 1, FuzzTarget(rawValue: arguments[1]) != nil {
                setenv("DENSE_FUZZ_TARGET", arguments[1], 1)
                arguments.remove(at: 1)
            }
            let name = getenv("DENSE_FUZZ_TARGET").map { String(cString: $0) } ?? ""
            guard let target = FuzzTarget(rawValue: name) else {
                printError(
                    "usage: dense-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) [libFuzzer flags] [corpus dirs]")
                exit(64)
            }
            selected = target
            var argc = CInt(arguments.count)
            var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
            let status = argv.withUnsafeMutableBufferPointer { buffer -> CInt in
                var base = buffer.baseAddress
                return LLVMFuzzerRunDriver(&argc, &base) { data, size in
                    selected.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
                    return 0
                }
            }
            exit(status)
        }
    }
#else
    @main enum DenseFuzzReplay {
        static func main() {
            let arguments = Array(CommandLine.arguments.dropFirst())
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count >= 2 else {
                printError("usage: dense-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE|DIR...")
                exit(64)
            }
            var count = 0
            for path in arguments.dropFirst() {
                for file in files(path) {
                    target.run(read(file))
                    count += 1
                }
            }
            print("dense-fuzz \(name): \(count) inputs replayed, no failure")
        }

        static func files(_ path: String) -> [String] {
            guard let dir = opendir(path) else { return [path] }
            defer { closedir(dir) }
            var names: [String] = []
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if !name.hasPrefix(".") { names.append(path + "/" + name) }
            }
            return names.sorted()
        }

        static func read(_ path: String) -> [UInt8] {
            guard let file = fopen(path, "rb") else { return [] }
            defer { fclose(file) }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = fread(&buffer, 1, buffer.count, file)
                if n <= 0 { break }
                bytes += buffer[0..<n]
            }
            return bytes
        }
    }
#endif
