import DenseBLAS
import DenseKernel
import Dispatch
import Foundation
import InferenceService

/// Dense forward pass (`x·W + b`, float32, one thread) with DenseServe's batch-invariant
/// kernel beside numpy's `x @ W + b` and OpenBLAS's sgemm/sgemv, same run, same shapes.
enum GEMMBench {
    /// (rows, inputDim, units): the goals — large batches, the small batches serving
    /// lives on, and single rows (memory-bound: sgemv's speed is the limit).
    static let sizes = [
        (256, 1024, 1024), (1024, 1024, 1024), (8, 1024, 1024), (32, 4096, 4096), (32, 256, 256), (1, 1024, 1024),
        (1, 4096, 4096),
    ]

    static func run() throws {
        BLASCoreSelection.selectCore()
        BLAS.useSingleThread()
        // Three rounds of numpy then ours, each figure the best of its rounds: the machine is
        // shared, and a neighbour's burst should not decide a ratio.
        let rounds = Int(ProcessInfo.processInfo.environment["GEMM_ROUNDS"] ?? "") ?? 3
        let isas = Array(GEMM.ISA.allCases.filter { $0 != .scalar && $0 <= GEMM.isa }.reversed())
        var numpy: [String: Double] = [:]
        var numpyInfo = ""
        var ours: [String: [Double]] = [:]
        var blas: [String: Double] = [:]
        for _ in 0..<rounds {
            let measured = measureNumpy()
            numpyInfo = measured.info
            numpy.merge(measured.seconds) { min($0, $1) }
            for (rows, inputDim, units) in sizes {
                let key = "\(rows)x\(inputDim)x\(units)"
                let (layer, input) = try makeLayer(rows: rows, inputDim: inputDim, units: units)
                let times = isas.map { isa in
                    BenchTiming.bestSeconds(minimum: 0.2) { _ = layer.forward(rows: rows, input: input, isa: isa) }
                }
                ours[key] = zip(ours[key] ?? times, times).map { min($0, $1) }
                blas[key] = min(blas[key] ?? .infinity, blasSeconds(rows: rows, inputDim: inputDim, units: units))
            }
        }
        print("Dense forward x·W + b, float32, one thread, best of \(rounds) rounds × 5 (µs, GFLOP/s); numpy ÷ ours > 1: ours is faster.")
        print(
            "kernel \(GEMM.kernelName) (ours), OpenBLAS core \(BLAS.coreName) (\(BLASCoreSelection.source.rawValue)), numpy: \(numpyInfo)"
        )
        print(
            "| rows × in × units |" + isas.map { " ours \($0.name) µs (GFLOP/s) |" }.joined()
                + " numpy µs (GFLOP/s) | OpenBLAS µs (GFLOP/s) | numpy ÷ ours |")
        print("|---|" + isas.map { _ in "---|" }.joined() + "---|---|---|")
        for (rows, inputDim, units) in sizes {
            let key = "\(rows)x\(inputDim)x\(units)"
            let flops = Double(2 * rows * inputDim * units)
            let times = ours[key]!
            var line = "| \(rows) × \(inputDim) × \(units) |"
            for time in times { line += cell(time, flops) }
            line += numpy[key].map { cell($0, flops) } ?? " n/a |"
            line += cell(blas[key]!, flops)
            line += numpy[key].map { String(format: " %.2f× |", $0 / times[0]) } ?? " n/a |"
            print(line)
        }
        print()
        packing()
        print()
        try accuracy()
    }

    static func cell(_ seconds: Double, _ flops: Double) -> String {
        String(format: " %.1f (%.1f) |", seconds * 1e6, flops / seconds / 1e9)
    }

    static func makeLayer(rows: Int, inputDim: Int, units: Int) throws(DenseError) -> (DenseLayer, TensorStorage) {
        let kernel = (0..<(inputDim * units)).map { Float(($0 % 13) - 6) * 0.01 }
        let bias = (0..<units).map { Float($0 % 5) * 0.1 }
        let layer = try DenseLayer(
            config: LayerConfig(name: "dense", units: units), inputDim: inputDim, kernel: .float32(kernel), bias: .float32(bias))
        return (layer, .float32((0..<(rows * inputDim)).map { Float(($0 % 7) - 3) * 0.1 }))
    }

    /// OpenBLAS alone (sgemv for one row, sgemm otherwise), without the bias.
    static func blasSeconds(rows: Int, inputDim: Int, units: Int) -> Double {
        let w = (0..<(inputDim * units)).map { Float(($0 % 13) - 6) * 0.01 }
        let x = (0..<(rows * inputDim)).map { Float(($0 % 7) - 3) * 0.1 }
        var y = [Float](repeating: 0, count: rows * units)
        return w.withUnsafeBufferPointer { w in
            x.withUnsafeBufferPointer { x in
                y.withUnsafeMutableBufferPointer { y in
                    BenchTiming.bestSeconds(minimum: 0.2) {
                        BLAS.gemm(m: rows, n: units, k: inputDim, a: x.baseAddress!, b: w.baseAddress!, c: y.baseAddress!)
                    }
                }
            }
        }
    }

    /// Packing at model load (PUT and start-up): time and memory against the weights.
    static func packing() {
        print("Packing at load: shape, time, packed bytes / weight bytes")
        for (inputDim, units) in [(1024, 1024), (4096, 4096), (20, 10), (784, 300)] {
            let kernel = TensorStorage.float32((0..<(inputDim * units)).map { Float($0 % 11) })
            var packed: PackedKernel?
            let time = BenchTiming.bestSeconds(minimum: 0) { packed = PackedKernel(kernel: kernel, inputDim: inputDim, units: units) }
            print(
                String(
                    format: "  %4d x %4d: %7.2f ms, %.3fx", inputDim, units, time * 1e3,
                    Double(packed!.byteCount) / Double(inputDim * units * 4)))
        }
    }

    /// Normwise relative error against a float64 reference, ours and OpenBLAS's.
    static func accuracy() throws(DenseError) {
        let (rows, inputDim, units) = (8, 1024, 1024)
        var state: UInt64 = 1
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Double(state >> 11) / Double(1 << 53) * 2 - 1)
        }
        let w = (0..<(inputDim * units)).map { _ in next() }
        let x = (0..<(rows * inputDim)).map { _ in next() }
        let layer = try DenseLayer(
            config: LayerConfig(name: "d", units: units, useBias: false), inputDim: inputDim, kernel: .float32(w), bias: nil)
        let ours = Float.values(of: layer.forward(rows: rows, input: .float32(x)))
        var blas = [Float](repeating: 0, count: rows * units)
        w.withUnsafeBufferPointer { w in
            x.withUnsafeBufferPointer { x in
                blas.withUnsafeMutableBufferPointer {
                    BLAS.gemm(m: rows, n: units, k: inputDim, a: x.baseAddress!, b: w.baseAddress!, c: $0.baseAddress!)
                }
            }
        }
        var errorOurs = 0.0, errorBLAS = 0.0, norm = 0.0
        for i in 0..<rows {
            for j in 0..<units {
                var exact = 0.0
                for p in 0..<inputDim { exact += Double(x[i * inputDim + p]) * Double(w[p * units + j]) }
                errorOurs += (Double(ours[i * units + j]) - exact) * (Double(ours[i * units + j]) - exact)
                errorBLAS += (Double(blas[i * units + j]) - exact) * (Double(blas[i * units + j]) - exact)
                norm += exact * exact
            }
        }
        print(
            String(
                format: "Accuracy vs float64, %d x %d x %d, normwise relative error: ours %.2e, OpenBLAS %.2e", rows, inputDim, units,
                (errorOurs / norm).squareRoot(), (errorBLAS / norm).squareRoot()))
    }

    /// numpy's `x @ W + b` on every shape, one thread, in one Python process. Its own
    /// OpenBLAS picks its kernel itself: `OPENBLAS_CORETYPE` / `OPENBLAS_L2_SIZE`, which some
    /// machines set for Debian's older OpenBLAS, are removed for this command alone.
    static func measureNumpy() -> (seconds: [String: Double], info: String) {
        let shapes = sizes.map { "(\($0.0), \($0.1), \($0.2))" }.joined(separator: ", ")
        let script = """
            import numpy as np, time
            try:
                from threadpoolctl import threadpool_info
                info = ", ".join(f"{i['internal_api']} {i.get('version')} {i.get('architecture')}" for i in threadpool_info())
            except Exception:
                info = "numpy " + np.__version__
            print("info", info)
            for r, i, u in [\(shapes)]:
                x = ((np.arange(r*i) % 7) - 3).astype(np.float32).reshape(r, i) * np.float32(0.1)
                w = ((np.arange(i*u) % 13) - 6).astype(np.float32).reshape(i, u) * np.float32(0.01)
                b = (np.arange(u) % 5).astype(np.float32) * np.float32(0.1)
                f = lambda: x @ w + b
                f()
                n = 1
                while True:
                    t = time.perf_counter()
                    for _ in range(n): f()
                    e = time.perf_counter() - t
                    if e > 0.05: n = max(1, int(n * 0.2 / e)); break
                    n *= 4
                best = 1e9
                for _ in range(5):
                    t = time.perf_counter()
                    for _ in range(n): f()
                    best = min(best, (time.perf_counter() - t) / n)
                print(f"{r}x{i}x{u}", best)
            """
        let environment = ["OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_CORETYPE": nil, "OPENBLAS_L2_SIZE": nil]
        guard let output = Python.run(script, environment: environment) else { return ([:], "numpy not available") }
        var seconds: [String: Double] = [:]
        var info = ""
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            if parts[0] == "info" { info = String(parts[1]) } else { seconds[String(parts[0])] = Double(parts[1]) }
        }
        return (seconds, info)
    }
}
