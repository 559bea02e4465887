import DenseKernel
import Foundation
import InferenceService
import TensorJSON

/// Tensor JSON throughput: the service's real decode (parse + rectangularity check +
/// float32 storage) and encode (nested shortest float text) of a 1M-float body, beside
/// Python's `json` + numpy and orjson on the same bytes, in the same run.
enum JSONBench {
    static func run(rows: Int = 1000, cols: Int = 1000) throws {
        let path = NSTemporaryDirectory() + "dense-bench-\(rows)x\(cols).json"
        // A deterministic body as a Python client holding float32 data writes it.
        let make = """
            import json, numpy as np
            x = np.random.default_rng(0).standard_normal((\(rows), \(cols))).astype(np.float32)
            open('\(path)', 'w').write(json.dumps([[float(str(v)) for v in row] for row in x]))
            """
        guard Python.run(make) != nil, let data = FileManager.default.contents(atPath: path) else {
            print("json: python3 with numpy is needed to make the body")
            return
        }
        let body = Array(data)
        let megabytes = Double(body.count) / 1e6
        var decoded: Tensor?
        let decodeSeconds = try BenchTiming.bestSeconds {
            let value = try JSONParser.parse(body, limits: JSONLimits(maxElements: 1 << 26))
            let wire = try TensorDecoder.decode(value, field: "input", limits: .default)
            decoded = Tensor(shape: wire.tensor.shape, storage: wire.tensor.storage.converted(to: .float32))
        }
        let tensor = decoded!
        var encodedCount = 0
        let encodeSeconds = BenchTiming.bestSeconds {
            var writer = JSONWriter(capacity: body.count + 64)
            ResponseEncoder.writeValues(tensor.storage, shape: tensor.shape, into: &writer)
            encodedCount = writer.bytes.count
        }
        let python = """
            import json, time, numpy as np, orjson
            raw = open('\(path)', 'rb').read()
            def best(f, n=5):
                b = 1e9
                for _ in range(n):
                    t = time.perf_counter(); f(); b = min(b, time.perf_counter() - t)
                return b
            lst = json.loads(raw)
            print(best(lambda: np.asarray(json.loads(raw), dtype=np.float32), 3))
            print(best(lambda: orjson.loads(raw)))
            print(best(lambda: np.asarray(orjson.loads(raw), dtype=np.float32)))
            print(best(lambda: orjson.dumps(lst)))
            print(best(lambda: orjson.dumps(np.asarray(lst, dtype=np.float32), option=orjson.OPT_SERIALIZE_NUMPY)))
            """
        let times = (Python.run(python) ?? "").split(separator: "\n").compactMap { Double($0) }
        print(
            String(format: "Tensor JSON, [%d, %d] float32 (%.1f MB body). MB/s of JSON text; ratio = ours / theirs.", rows, cols, megabytes)
        )
        print(String(format: "decode  ours (parse + check + float32)  %7.1f MB/s", megabytes / decodeSeconds))
        print(
            String(
                format: "encode  ours (nested, shortest float)   %7.1f MB/s  (%d bytes)", Double(encodedCount) / 1e6 / encodeSeconds,
                encodedCount))
        guard times.count == 5 else {
            print("python baselines unavailable (needs numpy and orjson)")
            return
        }
        let rows: [(String, Double, Double)] = [
            ("decode  json.loads + numpy.asarray", megabytes / times[0], megabytes / decodeSeconds),
            ("decode  orjson.loads", megabytes / times[1], megabytes / decodeSeconds),
            ("decode  orjson.loads + numpy.asarray", megabytes / times[2], megabytes / decodeSeconds),
            ("encode  orjson.dumps(list of floats)", Double(encodedCount) / 1e6 / times[3], Double(encodedCount) / 1e6 / encodeSeconds),
            ("encode  orjson.dumps(numpy float32)", Double(encodedCount) / 1e6 / times[4], Double(encodedCount) / 1e6 / encodeSeconds),
        ]
        for (name, theirs, ours) in rows {
            print(String(format: "%-40@ %7.1f MB/s   ours %.2fx", name as NSString, theirs, ours / theirs))
        }
    }
}
