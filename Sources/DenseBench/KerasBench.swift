import Foundation
import KerasFile

/// Opening Keras files: `KerasModelFile` + reading every weight as `[Float]` for a 64 MB
/// model (Dense 4096→4096, 16.8M float32 parameters), as a stored `.keras`, a deflated
/// `.keras` and a legacy `.h5`; beside copying the same bytes once (the floor) and Python's
/// zipfile + h5py reading the same arrays, in the same run. The files are made here with
/// real Keras (`DENSE_KERAS_VENV`, default `.venv-keras`; see
/// Tests/KerasFileTests/Fixtures/make_keras_fixtures.py), never committed.
enum KerasBench {
    static func run() throws {
        let venv = ProcessInfo.processInfo.environment["DENSE_KERAS_VENV"] ?? ".venv-keras"
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let env: [String: String?] = ["PATH": "\(venv)/bin:\(path)", "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"]
        let base = NSTemporaryDirectory() + "dense-bench-keras-64mb"
        let make = """
            import os, zipfile, numpy as np, keras
            base = '\(base)'
            if not os.path.exists(base + '.h5'):
                m = keras.Sequential([keras.Input((4096,)), keras.layers.Dense(4096)])
                m.set_weights([np.random.default_rng(0).standard_normal(w.shape).astype('float32') for w in m.get_weights()])
                m.save(base + '.keras'); m.save(base + '.h5')
                with zipfile.ZipFile(base + '.keras') as s, zipfile.ZipFile(base + '-deflated.keras', 'w', zipfile.ZIP_DEFLATED) as d:
                    for i in s.infolist(): d.writestr(i.filename, s.read(i.filename), compresslevel=1)
            """
        guard Python.run(make, environment: env) != nil else {
            print("keras: \(venv)/bin/python with keras is needed to make the files")
            return
        }
        var results: [(String, Int, Double)] = []
        for suffix in [".keras", "-deflated.keras", ".h5"] {
            guard let data = FileManager.default.contents(atPath: base + suffix) else { continue }
            let bytes = Array(data)
            var floats = 0
            let seconds = try BenchTiming.bestSeconds {
                let file = try KerasModelFile(bytes)
                let weights =
                    try file.layout == .legacyModel
                    ? file.legacyLayerNames().flatMap { try file.legacyWeights(layerName: $0) }
                    : file.variables(at: "layers/dense")
                floats = try weights.reduce(0) { $0 + (try $1.readFloats()).count }
            }
            let openOnly = try BenchTiming.bestSeconds { _ = try KerasModelFile(bytes) }
            print(
                String(
                    format: "keras: %@ (%.1f MB): open %.3f ms, open + read %d floats %.1f ms", suffix, Double(bytes.count) / 1e6,
                    openOnly * 1e3, floats, seconds * 1e3))
            results.append((suffix, bytes.count, seconds))
        }
        guard let stored = results.first, let data = FileManager.default.contents(atPath: base + ".keras") else { return }
        let bytes = Array(data)
        var sink = 0
        let copy = BenchTiming.bestSeconds {
            // Through the buffer: `Array(bytes)` alone would share storage and copy nothing.
            let copied = bytes.withUnsafeBufferPointer { Array($0) }
            sink &+= Int(copied[copied.count / 2])
        }
        let python = """
            import io, time, zipfile, h5py, numpy as np
            def read():
                with zipfile.ZipFile('\(base).keras') as z, h5py.File(io.BytesIO(z.read('model.weights.h5'))) as f:
                    return [f['layers/dense/vars/%d' % i][()] for i in range(2)]
            best = min((lambda t: (read(), time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(5))
            print(best)
            """
        let pythonSeconds = Python.run(python, environment: env).flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        print(
            String(
                format: "keras: copying the 64 MB .keras once: %.1f ms (KerasModelFile open + read = %.2f× a copy)", copy * 1e3,
                stored.2 / copy) + (sink == 42 ? " " : ""))
        if let pythonSeconds {
            print(
                String(
                    format: "keras: Python zipfile + h5py reading the same arrays: %.1f ms (KerasModelFile %.2f× faster)",
                    pythonSeconds * 1e3, pythonSeconds / stored.2))
        }
    }
}
