import Foundation
import GRPCCore

/// Decoding a ModelInferRequest of one [256, 1024] FP32 input (1 MiB), sent raw
/// (`raw_input_contents`, a slice of the buffer for us) and typed (`fp32_contents`, decoded
/// into `[Float]`), against Python protobuf's `ParseFromString` (upb) on the same bytes in the
/// same run; and framing a response with a 1 MiB raw output, against copying 1 MiB once.
/// Python: `DENSE_GRPC_VENV` (default `.venv-grpc`, see
/// Tests/GRPCCoreTests/Fixtures/make_golden.py) with tritonclient[grpc].
enum GRPCBench {
    static func run() throws {
        let floats = (0..<(256 * 1024)).map { Float($0 % 1000) * 0.001 }
        let rawBytes = floats.withUnsafeBytes { Array($0) }
        var raw = ModelInferRequest()
        raw.modelName = "dense"
        raw.inputs = [.init(name: "input", datatype: "FP32", shape: [256, 1024])]
        raw.rawInputContents = [rawBytes[...]]
        var typed = raw
        typed.rawInputContents = []
        var contents = InferTensorContents()
        contents.fp32Contents = floats
        typed.inputs[0].contents = contents
        let cases = [("raw_input_contents", raw.encoded()), ("fp32_contents", typed.encoded())]

        let folder = NSTemporaryDirectory() + "dense-bench-grpc"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var ours: [Double] = []
        for (name, bytes) in cases {
            _ = FileManager.default.createFile(atPath: "\(folder)/\(name).bin", contents: Data(bytes))
            var sink = 0
            ours.append(
                try BenchTiming.bestSeconds(minimum: 0.2) {
                    let request = try ModelInferRequest(decoding: bytes)
                    sink &+= request.rawInputContents.first?.count ?? request.inputs[0].contents?.fp32Contents.count ?? 0
                })
            precondition(sink > 0)
        }
        let venv = ProcessInfo.processInfo.environment["DENSE_GRPC_VENV"] ?? ".venv-grpc"
        let python = """
            import time
            from tritonclient.grpc import service_pb2
            for name in ["raw_input_contents", "fp32_contents"]:
                data = open("\(folder)/" + name + ".bin", "rb").read()
                m = service_pb2.ModelInferRequest()
                n = 50
                best = min((lambda t: ([m.ParseFromString(data) for _ in range(n)], (time.perf_counter() - t) / n)[1])(time.perf_counter()) for _ in range(5))
                print(best)
            """
        let pythonSeconds =
            Python.run(python, environment: ["PATH": "\(venv)/bin:/usr/bin:/bin"])?
            .split(separator: "\n").compactMap { Double($0) } ?? []
        print("gRPC ModelInferRequest decode, one [256, 1024] FP32 input (1 MiB), best of 5 (µs); Python ÷ ours > 1: ours is faster.")
        print("| contents | bytes | ours µs | Python upb ParseFromString µs | Python ÷ ours |")
        print("|---|---|---|---|---|")
        for (index, (name, bytes)) in cases.enumerated() {
            let py = index < pythonSeconds.count ? pythonSeconds[index] : .nan
            print(
                String(
                    format: "| %@ | %d | %.2f | %.2f | %.1f× |", name, bytes.count, ours[index] * 1e6, py * 1e6,
                    py / ours[index]))
        }
        if pythonSeconds.isEmpty { print("(no Python numbers: \(venv)/bin/python with tritonclient[grpc] is needed)") }

        // Framing a response whose 1 MiB raw output is written straight into the message.
        let response = ModelInferResponse(
            modelName: "dense", outputs: [.init(name: "output", datatype: "FP32", shape: [256, 1024])])
        var sink = 0
        let framed = BenchTiming.bestSeconds(minimum: 0.2) {
            let bytes = response.encodeFramed(rawOutputByteCounts: [rawBytes.count]) { _, destination in
                floats.withUnsafeBytes { destination.copyMemory(from: $0) }
            }
            sink &+= Int(bytes[bytes.count / 2])
        }
        let copy = BenchTiming.bestSeconds(minimum: 0.2) {
            let copied = rawBytes.withUnsafeBufferPointer { Array($0) }
            sink &+= Int(copied[copied.count / 2])
        }
        print(
            String(
                format: "ModelInferResponse.encodeFramed with a 1 MiB raw output: %.2f µs; copying 1 MiB once: %.2f µs (%.2f× a copy)",
                framed * 1e6, copy * 1e6, framed / copy) + (sink == 42 ? " " : ""))
    }
}
