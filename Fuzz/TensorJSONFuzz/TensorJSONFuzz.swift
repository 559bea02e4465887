// libFuzzer target for TensorJSON. Compiled together with Sources/TensorJSON
// into one module named TensorJSON (so no import) by Fuzz/run-json-fuzz.sh.
//
// Checks, for every input:
// - the parser never crashes, hangs or overflows (ASan, libFuzzer timeouts);
// - when it accepts: writer output re-parses to an identical tree, and writing
//   that again gives identical bytes (the writer is a fixed point);
// - a lone number literal parses to exactly what the stdlib's strtod gives;
// - Base64.decode never crashes, and what it accepts re-encodes to the input;
// - the first 8 / 4 bytes as a Double / Float format and parse back exactly.

let fuzzLimits = JSONLimits(maxDepth: 64, maxStringBytes: 1 << 20, maxElements: 1 << 20, maxObjectKeys: 1024)

@_cdecl("LLVMFuzzerTestOneInput")
public func tensorJSONFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    checkBitPatterns(input)
    checkBase64(input)
    let value: JSONValue
    do throws(JSONError) {
        value = try JSONParser.parse(input, limits: fuzzLimits)
    } catch {
        precondition(error.offset >= 0 && error.offset <= size, "error offset \(error.offset) outside input of \(size)")
        return 0
    }
    let written = JSONWriter.encode(value)
    let again: JSONValue
    do throws(JSONError) {
        again = try JSONParser.parse(written, limits: fuzzLimits)
    } catch {
        fatalError("writer output does not re-parse: \(error) in \(String(decoding: written, as: UTF8.self))")
    }
    precondition(again == value, "round trip changed the value: \(String(decoding: written, as: UTF8.self))")
    precondition(JSONWriter.encode(again) == written, "writer is not a fixed point")
    if case .number(let d) = value { checkAgainstStrtod(input, d) }
    return 0
}

/// A lone finite literal must parse to the stdlib's (strtod's) value, bit for bit.
func checkAgainstStrtod(_ input: UnsafeRawBufferPointer, _ d: Double) {
    var text = String(decoding: input, as: UTF8.self)
    while let f = text.first, f == " " || f == "\n" || f == "\r" || f == "\t" { text.removeFirst() }
    while let l = text.last, l == " " || l == "\n" || l == "\r" || l == "\t" { text.removeLast() }
    guard text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 43 || $0 == 46 || $0 == 101 || $0 == 69 })
    else { return }  // NaN / Infinity tokens
    guard text.utf8.count <= 4096, let want = Double(text) else { return }
    precondition(d.bitPattern == want.bitPattern, "\(text) parsed to \(d), strtod gives \(want)")
}

func checkBase64(_ input: UnsafeRawBufferPointer) {
    guard let decoded = try? Base64.decode(input) else { return }
    let again = Base64.encode(decoded)
    precondition(Array(again.utf8).elementsEqual(input), "base64 accepted a non-canonical text")
}

func checkBitPatterns(_ input: UnsafeRawBufferPointer) {
    if input.count >= 8 {
        let d = input.loadUnaligned(as: Double.self)
        var w = JSONWriter()
        w.write(d)
        let back = try? JSONParser.parse(w.bytes)
        if d.isNaN {
            precondition(back?.doubleValue?.isNaN == true, "NaN did not round trip")
        } else {
            precondition(back?.doubleValue?.bitPattern == d.bitPattern, "double \(d) wrote \(String(decoding: w.bytes, as: UTF8.self))")
        }
    }
    if input.count >= 4 {
        let f = input.loadUnaligned(as: Float.self)
        var w = JSONWriter()
        w.write(f)
        let text = String(decoding: w.bytes, as: UTF8.self)
        if f.isFinite {
            precondition(Float(text)?.bitPattern == f.bitPattern, "float \(f) wrote \(text)")
            // Read as a Double then rounded to Float (as JSONParser + a float32 layer do): f again.
            precondition(
                Double(text).map(Float.init)?.bitPattern == f.bitPattern || f == 0, "float \(f) wrote \(text), wrong via Double")
            // Shortest, but for the one documented nine-digit exception (±0x15ae43fd).
            if f.bitPattern & 0x7FFF_FFFF != 0x15AE_43FD {
                precondition(significantDigits(text) == significantDigits(f.description), "float \(f) not shortest: \(text)")
            }
        }
    }
}

/// The significant digits of number text (no sign, point, exponent, or leading/trailing zeros).
func significantDigits(_ text: String) -> String {
    let mantissa = text.split(separator: "e", maxSplits: 1).first ?? ""
    var digits = mantissa.filter { $0.isNumber }
    while digits.hasPrefix("0") { digits.removeFirst() }
    while digits.hasSuffix("0") { digits.removeLast() }
    return String(digits)
}
