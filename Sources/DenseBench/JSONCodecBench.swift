import DenseKernel
import Foundation
import TensorJSON

/// TensorJSON alone, beside Python on the same bytes in the same run (`json` measures the
/// service's decode and encode around it).
///
/// `json-codec`: a [rows, cols] body of float32 activations as Python's `json.dumps` writes
/// it; TensorJSON's parse, parse + flatten to `[Float]` (checked bit for bit against the
/// source first), nested writes of the Floats and of the same values as Doubles, and
/// `Float.description` appended as a baseline; against `orjson.loads`/`dumps`, `json.loads`/
/// `dumps` and numpy. `json-profile`: only our encoder and decoder in a loop (`perf record` it).
enum JSONCodecBench {
    static let options: Set<String> = ["--rows", "--cols", "--runs", "--python-runs"]
    static let profileOptions: Set<String> = ["--n", "--iterations", "--only", "--type", "--data"]

    /// Typical float32 activations: N(0, 1) scaled by a random power of 2 in [2^-4, 2^2].
    static func activations(_ count: Int) -> [Float] {
        var rng = SplitMix64(seed: 42)
        var data = [Float]()
        data.reserveCapacity(count)
        for _ in 0..<count {
            let u1 = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-300)
            let u2 = Double(rng.next() >> 11) / Double(1 << 53)
            let g = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            let scale = Double(1 << Int(rng.next() % 7)) / 16
            data.append(Float(g * scale))
        }
        return data
    }

    /// A rank-2 nested array as row-major Float32, or nil when it is not rectangular (what
    /// the service does after parsing).
    static func flattenRank2(_ v: JSONValue) -> [Float]? {
        guard case .array(let rows) = v, let first = rows.first, let cols = first.count else { return nil }
        var out = [Float]()
        out.reserveCapacity(rows.count * cols)
        for r in rows {
            guard case .numbers(let xs) = r, xs.count == cols else { return nil }
            xs.withUnsafeBufferPointer { p in
                for x in p { out.append(Float(x)) }
            }
        }
        return out
    }

    static func run(_ options: BenchOptions) throws {
        let rows = try options.count("--rows", 1000)
        let cols = try options.count("--cols", 1000)
        let runs = try options.count("--runs", 7)
        let pythonRuns = try options.count("--python-runs", 5)
        let data = activations(rows * cols)

        // The request body as Python's json.dumps writes it (", " separators), with
        // float32 values printed shortest (as numpy/Keras users' floats look).
        var body = [UInt8]()
        body.reserveCapacity(rows * cols * 14)
        body.append(UInt8(ascii: "["))
        for r in 0..<rows {
            if r > 0 { body.append(contentsOf: Array(", ".utf8)) }
            var w = JSONWriter()
            data[(r * cols)..<((r + 1) * cols)].withUnsafeBufferPointer { w.writeFlat($0) }
            // compact "a,b" → python "a, b"
            for b in w.bytes {
                body.append(b)
                if b == UInt8(ascii: ",") { body.append(UInt8(ascii: " ")) }
            }
        }
        body.append(UInt8(ascii: "]"))
        let path = NSTemporaryDirectory() + "dense-bench-json-codec-\(getpid()).json"
        try Data(body).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let mb = Double(body.count) / 1e6
        print("body: [\(rows)][\(cols)] float32 values, \(body.count) bytes (\(String(format: "%.2f", mb)) MB), \(path)")

        // Correctness before speed: decoded values equal the source floats bit for bit.
        let limits = JSONLimits(maxElements: rows * cols + rows + 16)
        let parsed = try JSONParser.parse(body, limits: limits)
        guard let flat = flattenRank2(parsed), flat.count == data.count,
            zip(flat, data).allSatisfy({ $0.bitPattern == $1.bitPattern })
        else { throw BenchError.failed("the decoded tensor differs from the source") }

        // Ours: decode.
        var sink = 0
        let tParse = try BenchTiming.bestSeconds(repeats: runs) { () throws(JSONError) in
            sink &+= try JSONParser.parse(body, limits: limits).count ?? 0
        }
        let tParseFlatten = try BenchTiming.bestSeconds(repeats: runs) { () throws(JSONError) in
            sink &+= flattenRank2(try JSONParser.parse(body, limits: limits))?.count ?? 0
        }
        // Ours: encode.
        var outBytes = 0
        let tEncode = BenchTiming.bestSeconds(repeats: runs) {
            var w = JSONWriter(capacity: body.count)
            data.withUnsafeBufferPointer { w.writeNested($0, shape: [rows, cols]) }
            outBytes = w.bytes.count
        }
        let doubles = data.map { Double($0) }
        var outBytesDouble = 0
        let tEncodeDouble = BenchTiming.bestSeconds(repeats: runs) {
            var w = JSONWriter(capacity: body.count * 2)
            doubles.withUnsafeBufferPointer { w.writeNested($0, shape: [rows, cols]) }
            outBytesDouble = w.bytes.count
        }
        // Ours: encode through description (the FACTS.md baseline: 227 MB/s).
        var outBytesDescription = 0
        let tDescription = BenchTiming.bestSeconds(repeats: max(1, runs / 2)) {
            var out = [UInt8]()
            out.reserveCapacity(body.count)
            out.append(UInt8(ascii: "["))
            for r in 0..<rows {
                if r > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "["))
                for c in 0..<cols {
                    if c > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(contentsOf: data[r * cols + c].description.utf8)
                }
                out.append(UInt8(ascii: "]"))
            }
            out.append(UInt8(ascii: "]"))
            outBytesDescription = out.count
        }

        // Python baselines on the same file, in the same run.
        let script = """
            import json, sys, time
            import numpy as np
            import orjson
            path, runs = sys.argv[1], int(sys.argv[2])
            body = open(path, 'rb').read()
            def best(f):
                b = float('inf')
                for _ in range(runs):
                    t = time.perf_counter(); r = f(); b = min(b, time.perf_counter() - t)
                return b, r
            res = {}
            res['json_numpy'], _ = best(lambda: np.asarray(json.loads(body), dtype=np.float32))
            res['orjson_loads'], lst = best(lambda: orjson.loads(body))
            res['orjson_numpy'], arr = best(lambda: np.asarray(orjson.loads(body), dtype=np.float32))
            res['orjson_dumps'], out = best(lambda: orjson.dumps(lst))
            res['orjson_dumps_bytes'] = len(out)
            res['json_dumps'], out2 = best(lambda: json.dumps(lst))
            res['json_dumps_bytes'] = len(out2)
            res['numpy_tolist_orjson'], out3 = best(lambda: orjson.dumps(arr.tolist()))
            res['numpy_tolist_orjson_bytes'] = len(out3)
            res['orjson_version'] = orjson.__version__
            res['numpy_version'] = np.__version__
            print(json.dumps(res))
            """
        guard let output = Python.run(script, arguments: [path, String(pythonRuns)]),
            case .object(let py) = try JSONParser.parse(Array(output.utf8))
        else { throw BenchError.failed("the Python baseline failed (it needs python3 with numpy and orjson)") }
        func pyTime(_ k: String) -> Double { py[k]?.doubleValue ?? .nan }
        func pyInt(_ k: String) -> Int { py[k]?.intValue ?? 0 }

        func row(_ name: String, _ t: Double, _ bytes: Int, _ ratioVs: [(String, Double)]) {
            let mbps = Double(bytes) / 1e6 / t
            var line = name.padding(toLength: 46, withPad: " ", startingAt: 0)
            line += String(format: "%9.1f ms %9.1f MB/s", t * 1e3, mbps)
            for (label, other) in ratioVs { line += String(format: "   %5.2fx %@", other / t, label) }
            print(line)
        }
        print("")
        print(
            "python: orjson \(py["orjson_version"]?.stringValue ?? "?"), numpy \(py["numpy_version"]?.stringValue ?? "?"); best of \(runs) (ours) / \(pythonRuns) (python)"
        )
        print("DECODE (\(body.count) bytes in)                   time        rate     ratio = their time / ours")
        row(
            "TensorJSON parse → JSONValue", tParse, body.count,
            [("vs orjson.loads", pyTime("orjson_loads")), ("vs json.loads+np", pyTime("json_numpy"))])
        row(
            "TensorJSON parse + flatten to [Float]", tParseFlatten, body.count,
            [("vs json.loads+np.asarray(f32)", pyTime("json_numpy")), ("vs orjson+np", pyTime("orjson_numpy"))])
        row("python orjson.loads", pyTime("orjson_loads"), body.count, [])
        row("python json.loads + np.asarray(float32)", pyTime("json_numpy"), body.count, [])
        row("python orjson.loads + np.asarray(float32)", pyTime("orjson_numpy"), body.count, [])
        print("ENCODE (\(rows * cols) numbers, [\(rows)][\(cols)])                time        rate (of own output bytes)")
        row(
            "TensorJSON writeNested Float", tEncode, outBytes,
            [("vs orjson.dumps(list)", pyTime("orjson_dumps")), ("vs json.dumps", pyTime("json_dumps"))])
        row(
            "TensorJSON writeNested Double (same values)", tEncodeDouble, outBytesDouble,
            [("vs orjson.dumps(list)", pyTime("orjson_dumps"))])
        row(
            "Float.description appended (baseline)", tDescription, outBytesDescription,
            [("vs orjson.dumps(list)", pyTime("orjson_dumps"))])
        row("python orjson.dumps(list of floats)", pyTime("orjson_dumps"), pyInt("orjson_dumps_bytes"), [])
        row("python json.dumps(list of floats)", pyTime("json_dumps"), pyInt("json_dumps_bytes"), [])
        row(
            "python orjson.dumps(np.float32 arr.tolist())", pyTime("numpy_tolist_orjson"),
            pyInt("numpy_tolist_orjson_bytes"), [])
        print("(our output: \(outBytes) bytes; orjson's: \(pyInt("orjson_dumps_bytes")) bytes; sink \(sink & 1))")
    }

    /// `json-profile`: our encoder and decoder alone, in a loop.
    static func profile(_ options: BenchOptions) throws {
        let n = try options.count("--n", 1_000_000)
        let iterations = try options.count("--iterations", 30)
        let only = try options.choice("--only", ["all", "encode", "small"])
        let type = try options.choice("--type", ["float", "double"])
        let kind = try options.choice("--data", ["uniform", "activations"])
        var rng = SplitMix64(seed: 42)
        let data =
            kind == "activations"
            ? activations(n) : (0..<n).map { _ in Float(Double(Int64(bitPattern: rng.next()) >> 11) / Double(1 << 52)) }
        let doubles = type == "double" ? data.map { Double($0) * (1 + 0x1p-40) } : []
        if only == "small" {
            // A one-row V2 infer body (Benchmarks/product-vs-peers.sh's W1): the per-document cost.
            let small = Array(
                #"{"inputs":[{"name":"input","shape":[1,16],"datatype":"FP32","data":[0.1,-0.2,0.3,0.4,-0.5,0.6,0.7,0.8,0.9,1.0,-1.1,1.2,1.3,1.4,1.5,-1.6]}]}"#
                    .utf8)
            var count = 0
            let t = try BenchTiming.bestSeconds(repeats: iterations) { () throws(JSONError) in
                for _ in 0..<100_000 { count &+= try JSONParser.parse(small).count ?? 0 }
            }
            print(String(format: "small parse %.0f ns/document (%d bytes)", t * 1e9 / 100_000, small.count))
            return
        }
        var w = JSONWriter(capacity: n * 24)
        let tEncode = BenchTiming.bestSeconds(repeats: iterations) {
            w.reset()
            if doubles.isEmpty {
                data.withUnsafeBufferPointer { w.writeFlat($0) }
            } else {
                doubles.withUnsafeBufferPointer { w.writeFlat($0) }
            }
        }
        let bytes = w.bytes
        if only == "encode" {
            print(String(format: "encode %.1f ns/float (%.0f MB/s)", tEncode * 1e9 / Double(n), Double(bytes.count) / tEncode / 1e6))
            return
        }
        let limits = JSONLimits(maxElements: n + 1)
        var sink = 0
        let tDecode = try BenchTiming.bestSeconds(repeats: iterations) { () throws(JSONError) in
            sink &+= try JSONParser.parse(bytes, limits: limits).count ?? 0
        }
        print(
            String(
                format: "encode %.1f ns/float (%.0f MB/s), decode %.1f ns/float (%.0f MB/s), %d bytes",
                tEncode * 1e9 / Double(n), Double(bytes.count) / tEncode / 1e6,
                tDecode * 1e9 / Double(n), Double(bytes.count) / tDecode / 1e6, bytes.count) + (sink == 42 ? " " : ""))
    }
}
