import DenseKernel
import InferenceService
import Dispatch
import Foundation

/// GEMM + bias + activation throughput, ours beside numpy's on the same shapes, same run.
enum GEMMBench {
    static let sizes = [(1, 512, 512), (32, 256, 256), (256, 1024, 1024), (1024, 1024, 1024)]

    static func run() {
        print("GEMM+bias+relu, float32, GFLOP/s (best of repeats). Ratio = ours / numpy.")
        print("threads | rows x in x units   |   ours | numpy | ratio")
        for threads in [1, 2] {
            for (rows, inputDim, units) in sizes {
                let ours = measureOurs(rows: rows, inputDim: inputDim, units: units, threads: threads)
                let numpy = measureNumpy(rows: rows, inputDim: inputDim, units: units, threads: threads)
                let ratio = numpy.map { ours / $0 }
                print(
                    String(
                        format: "%7d | %4d x %4d x %4d    | %6.1f | %5@ | %@", threads, rows, inputDim, units, ours,
                        numpy.map { String(format: "%.1f", $0) } ?? "n/a", ratio.map { String(format: "%.2fx", $0) } ?? "n/a"))
            }
        }
    }

    /// Our policy: BLAS single-threaded, rows split across `threads` serial queues.
    static func measureOurs(rows: Int, inputDim: Int, units: Int, threads: Int) -> Double {
        GEMM.useSingleThreadedBLAS()
        let kernel = (0..<(inputDim * units)).map { Float(($0 % 13) - 6) * 0.01 }
        let bias = (0..<units).map { Float($0 % 5) * 0.1 }
        let layer = try! DenseLayer(
            config: LayerConfig(name: "dense", units: units, activation: .relu), inputDim: inputDim,
            kernel: .float32(kernel), bias: .float32(bias))
        let input = TensorStorage.float32((0..<(rows * inputDim)).map { Float(($0 % 7) - 3) * 0.1 })
        let flops = Double(2 * rows * inputDim * units)
        let queues = (0..<threads).map { DispatchQueue(label: "bench.\($0)") }
        // The service's policy: split only passes of at least `splitMinFLOPs` (APIConfiguration).
        let chunks = flops >= Double(APIConfiguration().splitMinFLOPs) ? min(threads, rows) : 1
        let per = (rows + chunks - 1) / chunks
        let slices = (0..<chunks).map { index -> (Int, TensorStorage) in
            let low = index * per, high = min(rows, low + per)
            return (high - low, input.slice((low * inputDim)..<(high * inputDim)))
        }
        func once() {
            if chunks == 1 {
                _ = layer.forward(rows: rows, input: input)
                return
            }
            let group = DispatchGroup()
            for (index, slice) in slices.enumerated() {
                queues[index].async(group: group) { _ = layer.forward(rows: slice.0, input: slice.1) }
            }
            group.wait()
        }
        return bestGFLOPs(flops: flops, once)
    }

    static func bestGFLOPs(flops: Double, _ body: () -> Void) -> Double {
        body()
        let clock = ContinuousClock()
        // Enough iterations for ~0.2 s per repeat, 5 repeats, keep the best.
        var iterations = 1
        while true {
            let start = clock.now
            for _ in 0..<iterations { body() }
            let elapsed = seconds(clock.now - start)
            if elapsed > 0.05 { iterations = max(1, Int(Double(iterations) * 0.2 / elapsed)); break }
            iterations *= 4
        }
        var best = Double.infinity
        for _ in 0..<5 {
            let start = clock.now
            for _ in 0..<iterations { body() }
            best = min(best, seconds(clock.now - start) / Double(iterations))
        }
        return flops / best / 1e9
    }

    /// Best wall time of `body` over a few repeats (after one warm-up run).
    static func bestSeconds(repeats: Int = 5, _ body: () -> Void) -> Double {
        body()
        let clock = ContinuousClock()
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = clock.now
            body()
            best = min(best, seconds(clock.now - start))
        }
        return best
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func measureNumpy(rows: Int, inputDim: Int, units: Int, threads: Int) -> Double? {
        let script = """
            import numpy as np, time
            r, i, u = \(rows), \(inputDim), \(units)
            x = ((np.arange(r*i) % 7) - 3).astype(np.float32).reshape(r, i) * np.float32(0.1)
            w = ((np.arange(i*u) % 13) - 6).astype(np.float32).reshape(i, u) * np.float32(0.01)
            b = (np.arange(u) % 5).astype(np.float32) * np.float32(0.1)
            f = lambda: np.maximum(x @ w + b, 0)
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
            print(2 * r * i * u / best / 1e9)
            """
        return Python.run(script, environment: ["OPENBLAS_NUM_THREADS": "\(threads)", "OMP_NUM_THREADS": "\(threads)"])
            .flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

/// Runs `python3 -c` and returns its standard output, or nil when Python is unavailable.
enum Python {
    static func run(_ script: String, environment: [String: String] = [:], stdin: URL? = nil) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        if let stdin { process.standardInput = try? FileHandle(forReadingFrom: stdin) }
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
