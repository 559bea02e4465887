// tensorjson-bench: decode/encode MB/s of TensorJSON beside Python's json+numpy
// and orjson on the same bytes, measured in the same run; plus `verify`, the
// release-mode exhaustive checks of the float formatter and number parser.
//
//   swift build -c release --product tensorjson-bench
//   .build/release/tensorjson-bench [bench] [--rows 1000] [--cols 1000] [--runs 7]
//   .build/release/tensorjson-bench profile [--n 1000000] [--iterations 30] [--only encode|small] [--type float|double] [--data uniform|activations]
//   .build/release/tensorjson-bench verify [--floats all|N] [--doubles N] [--parse N]

import Foundation
import TensorJSON

// MARK: - Arguments

let arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.first.map { $0.hasPrefix("--") ? "bench" : $0 } ?? "bench"

func option(_ name: String, _ fallback: String) -> String {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return fallback }
    return arguments[i + 1]
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// Best wall time of `runs` calls of `body`.
func best(_ runs: Int, _ body: () -> Void) -> Double {
    var bestTime = Double.infinity
    let clock = ContinuousClock()
    for _ in 0..<runs {
        let t = clock.measure(body)
        bestTime = min(bestTime, seconds(t))
    }
    return bestTime
}

// MARK: - Tensor extraction (what the service does after parsing)

/// Flattens a rank-2 nested array into row-major Float32, checking it is rectangular.
func flattenRank2(_ v: JSONValue) -> [Float]? {
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

// MARK: - bench

/// Typical float32 activations: N(0, 1) scaled by a random power of 2 in [2^-4, 2^2].
func activations(_ count: Int) -> [Float] {
    var rng = SplitMix64(state: 42)
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

func runBench() throws {
    let rows = Int(option("--rows", "1000"))!
    let cols = Int(option("--cols", "1000"))!
    let runs = Int(option("--runs", "7"))!
    let pythonRuns = Int(option("--python-runs", "5"))!

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
    let path = NSTemporaryDirectory() + "tensorjson-bench-\(getpid()).json"
    try Data(body).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let mb = Double(body.count) / 1e6
    print("body: [\(rows)][\(cols)] float32 values, \(body.count) bytes (\(String(format: "%.2f", mb)) MB), \(path)")

    // Correctness before speed: decoded values equal the source floats bit for bit.
    let limits = JSONLimits(maxElements: rows * cols + rows + 16)
    let parsed = try JSONParser.parse(body, limits: limits)
    guard let flat = flattenRank2(parsed), flat.count == data.count,
        zip(flat, data).allSatisfy({ $0.bitPattern == $1.bitPattern })
    else {
        print("FAIL: decoded tensor differs from the source")
        exit(1)
    }

    // Ours: decode.
    var sink = 0
    let tParse = best(runs) {
        let v = try! JSONParser.parse(body, limits: limits)
        sink &+= v.count ?? 0
    }
    let tParseFlatten = best(runs) {
        let v = try! JSONParser.parse(body, limits: limits)
        sink &+= flattenRank2(v)!.count
    }
    // Ours: encode.
    var outBytes = 0
    let tEncode = best(runs) {
        var w = JSONWriter(capacity: body.count)
        data.withUnsafeBufferPointer { w.writeNested($0, shape: [rows, cols]) }
        outBytes = w.bytes.count
    }
    let doubles = data.map { Double($0) }
    var outBytesDouble = 0
    let tEncodeDouble = best(runs) {
        var w = JSONWriter(capacity: body.count * 2)
        doubles.withUnsafeBufferPointer { w.writeNested($0, shape: [rows, cols]) }
        outBytesDouble = w.bytes.count
    }
    // Ours: encode through description (the FACTS.md baseline: 227 MB/s).
    var outBytesDescription = 0
    let tDescription = best(max(1, runs / 2)) {
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
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, path, String(pythonRuns)]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0,
        case .object(let py) = try JSONParser.parse([UInt8](output))
    else {
        print("python baseline failed (status \(process.terminationStatus))")
        exit(1)
    }
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
    print("ENCODE (1M numbers, [\(rows)][\(cols)])                time        rate (of own output bytes)")
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

// MARK: - verify

/// Normalized significant digits and decimal-point position of number text.
func normalize(_ text: UnsafeBufferPointer<UInt8>) -> (digits: UInt64, decpt: Int) {
    var digits: UInt64 = 0
    var nDigits = 0
    var decpt = 0
    var seenPoint = false
    var leading = true
    var i = 0
    var trailingZeros = 0
    while i < text.count {
        let c = text[i]
        if c == UInt8(ascii: "-") {
        } else if c == UInt8(ascii: ".") {
            seenPoint = true
        } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            break
        } else {
            let d = c &- 48
            if leading && d == 0 {
                if seenPoint { decpt -= 1 }
            } else {
                leading = false
                if d == 0 {
                    trailingZeros += 1
                } else {
                    for _ in 0..<trailingZeros { digits = digits &* 10 }
                    nDigits += trailingZeros
                    trailingZeros = 0
                    digits = digits &* 10 &+ UInt64(d)
                    nDigits += 1
                }
                if !seenPoint { decpt += 1 }
            }
        }
        i += 1
    }
    if i < text.count {
        var e = 0
        var neg = false
        i += 1
        if text[i] == UInt8(ascii: "-") { neg = true; i += 1 } else if text[i] == UInt8(ascii: "+") { i += 1 }
        while i < text.count { e = e * 10 + Int(text[i] &- 48); i += 1 }
        decpt += neg ? -e : e
    }
    return (digits, decpt)
}

func formatted<T>(_ v: T, _ write: (inout JSONWriter, T) -> Void) -> [UInt8] {
    var w = JSONWriter(capacity: 32)
    write(&w, v)
    return w.bytes
}

func sameDigits(_ ours: [UInt8], _ theirs: String) -> Bool {
    var theirs = theirs
    let a = ours.withUnsafeBufferPointer { normalize($0) }
    let b = theirs.withUTF8 { normalize($0) }
    return a == b
}

/// Runs `body(chunkIndex)` for chunks 0..<count on every core.
func parallel(_ count: Int, _ body: @Sendable (Int) -> Void) {
    DispatchQueue.concurrentPerform(iterations: count, execute: body)
}

final class Counter: @unchecked Sendable {  // guarded by `lock`
    let lock = NSLock()
    var failures = 0
    var examples: [String] = []
    func fail(_ s: String) {
        lock.lock()
        failures += 1
        if examples.count < 10 { examples.append(s) }
        lock.unlock()
    }
}

func runVerify() {
    let floatsOption = option("--floats", "all")
    let doubleCount = Int(option("--doubles", "20000000"))!
    let parseCount = Int(option("--parse", "5000000"))!
    let clock = ContinuousClock()

    // 1. Float formatter vs Float.description over all (or N random) bit patterns.
    let counter = Counter()
    let start = clock.now
    let total: UInt64 = floatsOption == "all" ? 1 << 32 : UInt64(floatsOption)!
    let chunks = 4096
    parallel(chunks) { chunk in
        var rng = SplitMix64(state: UInt64(chunk) &* 7919)
        let per = total / UInt64(chunks)
        let lo = UInt64(chunk) * per
        let hi = chunk == chunks - 1 ? total : lo + per
        var w = JSONWriter(capacity: 64)
        for i in lo..<hi {
            let bits = floatsOption == "all" ? UInt32(truncatingIfNeeded: i) : UInt32(truncatingIfNeeded: rng.next())
            let v = Float(bitPattern: bits)
            guard v.isFinite else { continue }
            _ = w.takeBytes()
            w.write(v)
            let text = String(decoding: w.bytes, as: UTF8.self)
            // Read as a Double, then rounded to Float: the value again (json.loads + numpy).
            if Double(text).map(Float.init)?.bitPattern != bits && !(v == 0) {
                counter.fail("float \(v) bits \(bits): \(text) read as Double then Float is another value")
                continue
            }
            let isNineDigitException = bits & 0x7FFF_FFFF == 0x15AE_43FD
            if !isNineDigitException && !sameDigits(w.bytes, v.description) {
                counter.fail("float \(v) bits \(bits): ours \(text)")
                continue
            }
            if floatsOption == "all" && !isNineDigitException { continue }  // same digits as description ⇒ same value
            // Round trip through the stdlib parser (direct to Float).
            let back = w.bytes.withUnsafeBufferPointer { Float(String(decoding: $0, as: UTF8.self)) }
            if back?.bitPattern != bits && !(v == 0 && back == 0) {
                counter.fail("float \(v) round trip \(String(describing: back))")
            }
        }
    }
    print(
        "floats: \(total) \(floatsOption == "all" ? "(every bit pattern)" : "random") checked against description\(floatsOption == "all" ? "" : " + round trip") in \(clock.now - start): \(counter.failures) failures \(counter.examples)"
    )

    // 2. Double formatter vs Double.description: random bits, random subnormals, edges.
    let dCounter = Counter()
    let dStart = clock.now
    parallel(256) { chunk in
        var rng = SplitMix64(state: 0xD0B1E &+ UInt64(chunk))
        let per = doubleCount / 256
        var w = JSONWriter(capacity: 64)
        for i in 0..<per {
            var bits = rng.next()
            if i % 8 == 0 { bits &= (1 << 52) - 1 }  // subnormals
            if i % 8 == 1 { bits = (bits & 0x800F_FFFF_FFFF_FFFF) | (UInt64(i % 2046 + 1) << 52) }  // every exponent
            let v = Double(bitPattern: bits)
            guard v.isFinite else { continue }
            _ = w.takeBytes()
            w.write(v)
            if !sameDigits(w.bytes, v.description) {
                dCounter.fail("double \(v) bits \(bits): ours \(String(decoding: w.bytes, as: UTF8.self))")
                continue
            }
            // Round trip through our own parser.
            let back = try? JSONParser.parse(w.bytes)
            if back?.doubleValue?.bitPattern != bits {
                dCounter.fail("double \(v) round trip via JSONParser: \(String(describing: back))")
            }
        }
    }
    print(
        "doubles: \(doubleCount) random (1/8 subnormal, 1/8 spread over every exponent) vs description + JSONParser round trip in \(clock.now - dStart): \(dCounter.failures) failures \(dCounter.examples)"
    )

    // 3. Parser vs stdlib strtod on random decimal literals (short, long, near halfway).
    let pCounter = Counter()
    let pStart = clock.now
    parallel(256) { chunk in
        var rng = SplitMix64(state: 0xBA5E &+ UInt64(chunk))
        let per = parseCount / 256
        var bytes = [UInt8]()
        for i in 0..<per {
            bytes.removeAll(keepingCapacity: true)
            if rng.next() & 1 == 0 { bytes.append(UInt8(ascii: "-")) }
            let kind = i % 4
            let nDigits: Int
            switch kind {
            case 0: nDigits = Int(rng.next() % 19) + 1
            case 1: nDigits = Int(rng.next() % 30) + 15
            case 2: nDigits = Int(rng.next() % 800) + 1
            default: nDigits = 17
            }
            let point = Int(rng.next() % UInt64(nDigits + 1))
            for d in 0..<nDigits {
                if d == point && d > 0 { bytes.append(UInt8(ascii: ".")) }
                let digit = d == 0 ? UInt8(rng.next() % 9 + 1) : UInt8(rng.next() % 10)
                bytes.append(48 + digit)
            }
            if kind == 3 {
                // Near-halfway: the midpoint of two adjacent doubles, to Float80
                // precision (~20 digits), sometimes with its last digit changed.
                let v = Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF)
                let mid = (Float80(v) + Float80(v.nextUp)) / 2
                bytes = Array(mid.description.utf8)
                if rng.next() & 1 == 0 {
                    let e = bytes.firstIndex(of: UInt8(ascii: "e")) ?? bytes.count
                    if bytes[e - 1] != UInt8(ascii: ".") { bytes[e - 1] = 48 + UInt8(rng.next() % 10) }
                }
            } else if rng.next() % 4 != 0 {
                bytes.append(UInt8(ascii: "e"))
                bytes.append(contentsOf: String(Int(rng.next() % 700) - 360).utf8)
            }
            let text = String(decoding: bytes, as: UTF8.self)
            guard let want = Double(text) else { pCounter.fail("oracle rejected \(text)"); continue }
            let got: Double?
            do throws(JSONError) {
                got = try JSONParser.parse(bytes).doubleValue
            } catch {
                if want.isInfinite && error.code == "number_out_of_range" { continue }
                pCounter.fail("\(text.prefix(60)): \(error)")
                continue
            }
            if got?.bitPattern != want.bitPattern {
                pCounter.fail("\(text.prefix(60)): got \(String(describing: got)) want \(want)")
            }
        }
    }
    print(
        "parse: \(parseCount) random literals (≤19 digits, 15–45 digits, ≤800 digits, Float80 midpoints of adjacent doubles) vs Double(String) in \(clock.now - pStart): \(pCounter.failures) failures \(pCounter.examples)"
    )
    if counter.failures + dCounter.failures + pCounter.failures > 0 { exit(1) }
}

/// Profiling aid: only our encoder and decoder in a loop (`perf record` this).
func runProfile() throws {
    let n = Int(option("--n", "1000000"))!
    let iterations = Int(option("--iterations", "30"))!
    var rng = SplitMix64(state: 42)
    let data =
        option("--data", "uniform") == "activations"
        ? activations(n) : (0..<n).map { _ in Float(Double(Int64(bitPattern: rng.next()) >> 11) / Double(1 << 52)) }
    let doubles = option("--type", "float") == "double" ? data.map { Double($0) * (1 + 0x1p-40) } : []
    if option("--only", "") == "small" {
        // A one-row V2 infer body (Benchmarks/product-vs-peers.sh's W1): the per-document cost.
        let small = Array(
            #"{"inputs":[{"name":"input","shape":[1,16],"datatype":"FP32","data":[0.1,-0.2,0.3,0.4,-0.5,0.6,0.7,0.8,0.9,1.0,-1.1,1.2,1.3,1.4,1.5,-1.6]}]}"#
                .utf8)
        var count = 0
        let t = best(iterations) {
            for _ in 0..<100_000 { count &+= (try! JSONParser.parse(small)).count ?? 0 }
        }
        print(String(format: "small parse %.0f ns/document (%d bytes)", t * 1e9 / 100_000, small.count))
        return
    }
    var w = JSONWriter(capacity: n * 24)
    let tEncode = best(iterations) {
        w.reset()
        if doubles.isEmpty {
            data.withUnsafeBufferPointer { w.writeFlat($0) }
        } else {
            doubles.withUnsafeBufferPointer { w.writeFlat($0) }
        }
    }
    let bytes = w.bytes
    if option("--only", "") == "encode" {
        print(String(format: "encode %.1f ns/float (%.0f MB/s)", tEncode * 1e9 / Double(n), Double(bytes.count) / tEncode / 1e6))
        return
    }
    let limits = JSONLimits(maxElements: n + 1)
    var sink = 0
    let tDecode = best(iterations) { sink &+= (try! JSONParser.parse(bytes, limits: limits)).count ?? 0 }
    print(
        String(
            format: "encode %.1f ns/float (%.0f MB/s), decode %.1f ns/float (%.0f MB/s), %d bytes",
            tEncode * 1e9 / Double(n), Double(bytes.count) / tEncode / 1e6,
            tDecode * 1e9 / Double(n), Double(bytes.count) / tDecode / 1e6, bytes.count))
}

switch command {
case "profile": try runProfile()
case "bench": try runBench()
case "verify": runVerify()
default:
    print("usage: tensorjson-bench [bench] [--rows N --cols N --runs N --python-runs N] | verify [--floats all|N --doubles N --parse N]")
    exit(2)
}
