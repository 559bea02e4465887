import DenseKernel
import Dispatch
import Synchronization
import TensorJSON

/// `json-verify`: the release-mode exhaustive checks of TensorJSON's number text, on every
/// core. (1) The Float formatter against `Float.description` over every one of the 2^32 bit
/// patterns (or N random ones, then with a round trip through `Float(String)`), and each text
/// read as a Double then rounded to Float gives the value back. (2) The Double formatter
/// against `Double.description` on random bits (1/8 subnormal, 1/8 spread over every exponent),
/// with a round trip through `JSONParser`. (3) `JSONParser` against `Double(String)` on random
/// literals (≤19 digits, 15–45, ≤800, Float80 midpoints of adjacent doubles). Any failure
/// fails the command.
enum JSONVerify {
    static let options: Set<String> = ["--floats", "--doubles", "--parse"]

    /// The failures one check found across threads: how many, and the first ten.
    final class FailureLog: Sendable {
        private let state = Mutex<(count: Int, examples: [String])>((0, []))

        func record(_ failure: String) {
            state.withLock { log in
                log.count += 1
                if log.examples.count < 10 { log.examples.append(failure) }
            }
        }

        var count: Int { state.withLock { $0.count } }
        var examples: [String] { state.withLock { $0.examples } }
    }

    /// Normalized significant digits and decimal-point position of number text.
    static func normalize(_ text: UnsafeBufferPointer<UInt8>) -> (digits: UInt64, decpt: Int) {
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
            if text[i] == UInt8(ascii: "-") {
                neg = true
                i += 1
            } else if text[i] == UInt8(ascii: "+") {
                i += 1
            }
            while i < text.count {
                e = e * 10 + Int(text[i] &- 48)
                i += 1
            }
            decpt += neg ? -e : e
        }
        return (digits, decpt)
    }

    static func sameDigits(_ ours: [UInt8], _ theirs: String) -> Bool {
        var theirs = theirs
        let a = ours.withUnsafeBufferPointer { normalize($0) }
        let b = theirs.withUTF8 { normalize($0) }
        return a == b
    }

    /// Runs `body(chunkIndex)` for chunks 0..<count on every core.
    static func parallel(_ count: Int, _ body: @Sendable (Int) -> Void) {
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }

    static func run(_ options: BenchOptions) throws {
        let floatsOption = options.string("--floats", "all")
        guard let total: UInt64 = floatsOption == "all" ? 1 << 32 : UInt64(floatsOption), total > 0 else {
            throw BenchError.badOption("--floats takes all or a positive whole number, not \(floatsOption)")
        }
        let doubleCount = try options.count("--doubles", 20_000_000)
        let parseCount = try options.count("--parse", 5_000_000)
        let clock = ContinuousClock()

        // 1. Float formatter vs Float.description over all (or N random) bit patterns.
        let floats = FailureLog()
        let start = clock.now
        let chunks = 4096
        parallel(chunks) { chunk in
            var rng = SplitMix64(seed: UInt64(chunk) &* 7919)
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
                    floats.record("float \(v) bits \(bits): \(text) read as Double then Float is another value")
                    continue
                }
                let isNineDigitException = bits & 0x7FFF_FFFF == 0x15AE_43FD
                if !isNineDigitException && !sameDigits(w.bytes, v.description) {
                    floats.record("float \(v) bits \(bits): ours \(text)")
                    continue
                }
                if floatsOption == "all" && !isNineDigitException { continue }  // same digits as description ⇒ same value
                // Round trip through the stdlib parser (direct to Float).
                let back = w.bytes.withUnsafeBufferPointer { Float(String(decoding: $0, as: UTF8.self)) }
                if back?.bitPattern != bits && !(v == 0 && back == 0) {
                    floats.record("float \(v) round trip \(String(describing: back))")
                }
            }
        }
        print(
            "floats: \(total) \(floatsOption == "all" ? "(every bit pattern)" : "random") checked against description\(floatsOption == "all" ? "" : " + round trip") in \(clock.now - start): \(floats.count) failures \(floats.examples)"
        )

        // 2. Double formatter vs Double.description: random bits, random subnormals, edges.
        let doubles = FailureLog()
        let dStart = clock.now
        parallel(256) { chunk in
            var rng = SplitMix64(seed: 0xD0B1E &+ UInt64(chunk))
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
                    doubles.record("double \(v) bits \(bits): ours \(String(decoding: w.bytes, as: UTF8.self))")
                    continue
                }
                // Round trip through our own parser.
                let back = try? JSONParser.parse(w.bytes)
                if back?.doubleValue?.bitPattern != bits {
                    doubles.record("double \(v) round trip via JSONParser: \(String(describing: back))")
                }
            }
        }
        print(
            "doubles: \(doubleCount) random (1/8 subnormal, 1/8 spread over every exponent) vs description + JSONParser round trip in \(clock.now - dStart): \(doubles.count) failures \(doubles.examples)"
        )

        // 3. Parser vs stdlib strtod on random decimal literals (short, long, near halfway).
        let parses = FailureLog()
        let pStart = clock.now
        parallel(256) { chunk in
            var rng = SplitMix64(seed: 0xBA5E &+ UInt64(chunk))
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
                guard let want = Double(text) else {
                    parses.record("oracle rejected \(text)")
                    continue
                }
                let got: Double?
                do throws(JSONError) {
                    got = try JSONParser.parse(bytes).doubleValue
                } catch {
                    if want.isInfinite && error.code == "number_out_of_range" { continue }
                    parses.record("\(text.prefix(60)): \(error)")
                    continue
                }
                if got?.bitPattern != want.bitPattern {
                    parses.record("\(text.prefix(60)): got \(String(describing: got)) want \(want)")
                }
            }
        }
        print(
            "parse: \(parseCount) random literals (≤19 digits, 15–45 digits, ≤800 digits, Float80 midpoints of adjacent doubles) vs Double(String) in \(clock.now - pStart): \(parses.count) failures \(parses.examples)"
        )
        let failures = floats.count + doubles.count + parses.count
        if failures > 0 { throw BenchError.failed("\(failures) failures") }
    }
}
