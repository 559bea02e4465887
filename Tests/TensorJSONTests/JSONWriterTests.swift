import TestSupport
import Testing

@testable import TensorJSON

@Suite struct JSONWriterTests {
    @Test func structureAndCommas() {
        var w = JSONWriter()
        w.beginObject()
        w.writeKey("a")
        w.write(1)
        w.writeKey("b")
        w.beginArray()
        w.write(true)
        w.write(false)
        w.writeNull()
        w.beginArray()
        w.endArray()
        w.beginObject()
        w.endObject()
        w.write("x")
        w.endArray()
        w.writeKey("c")
        w.write(-2.5)
        w.endObject()
        #expect(text(w.bytes) == "{\"a\":1,\"b\":[true,false,null,[],{},\"x\"],\"c\":-2.5}")
    }

    @Test func integers() {
        for (v, s) in [
            (0, "0"), (-1, "-1"), (42, "42"), (Int.max, "9223372036854775807"),
            (Int.min, "-9223372036854775808"), (1_000_000, "1000000"),
        ] {
            var w = JSONWriter()
            w.write(v)
            #expect(text(w.bytes) == s)
        }
    }

    @Test func stringEscaping() throws {
        let s = "q\"b\\s/\u{8}\u{C}\n\r\t\u{0}\u{1F}\u{7F}é€😀\u{2028}"
        var w = JSONWriter()
        w.write(s)
        #expect(text(w.bytes) == "\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0000\\u001f\u{7F}é€😀\u{2028}\"")
        #expect(try JSONParser.parse(w.bytes) == .string(s))
    }

    @Test func everyControlCharacterRoundTrips() throws {
        var s = ""
        for u in 0..<0x20 { s.unicodeScalars.append(Unicode.Scalar(UInt8(u))) }
        var w = JSONWriter()
        w.write(s)
        #expect(try JSONParser.parse(w.bytes) == .string(s))
    }

    @Test func valueTreeRoundTrips() throws {
        let v: JSONValue = [
            "name": "dense", "units": 10, "use_bias": true, "bias": nil,
            "kernel": [[1.5, -2, 3e-7], [.number(.nan), .number(.infinity), .number(-.infinity)]],
            "nested": ["é": ["x", 1, [2, 3]]], "empty": [], "obj": [:],
            "-0": .number(-0.0),
        ]
        let bytes = JSONWriter.encode(v)
        let back = try JSONParser.parse(bytes)
        #expect(back == v)
        #expect(JSONWriter.encode(back) == bytes)
    }

    @Test func randomDocumentsRoundTrip() throws {
        var rng = SplitMix64(seed: 21)
        func make(_ depth: Int) -> JSONValue {
            let kind = Int.random(in: 0..<(depth > 3 ? 5 : 8), using: &rng)
            switch kind {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &rng))
            case 2: return .number(Double(bitPattern: rng.next()))
            case 3:
                var s = ""
                for _ in 0..<Int.random(in: 0..<8, using: &rng) {
                    let choices: [UInt32] = [0x22, 0x5C, 0x0A, 0x41, 0xE9, 0x20AC, 0x1F600, 0x01]
                    s.unicodeScalars.append(Unicode.Scalar(choices.randomElement(using: &rng)!)!)
                }
                return .string(s)
            case 4:
                return .numbers(
                    (0..<Int.random(in: 1...5, using: &rng)).map { _ in
                        Double(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())))
                    })
            case 5, 6:
                return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in make(depth + 1) })
            default:
                var o = JSONObject()
                for i in 0..<Int.random(in: 0...4, using: &rng) { o["k\(i)"] = make(depth + 1) }
                return .object(o)
            }
        }
        for _ in 0..<500 {
            let v = make(0)
            let bytes = JSONWriter.encode(v)
            let back = try JSONParser.parse(bytes)
            #expect(back == v, "\(text(bytes))")
            #expect(JSONWriter.encode(back) == bytes)
        }
    }

    @Test func nestedFloatWriter() throws {
        let data: [Float] = [1, 2.5, -3, 0.1, 1e-7, .nan]
        var w = JSONWriter()
        data.withUnsafeBufferPointer { w.writeNested($0, shape: [2, 3]) }
        #expect(text(w.bytes) == "[[1.0,2.5,-3.0],[0.1,1e-07,NaN]]")

        var w3 = JSONWriter()
        data.withUnsafeBufferPointer { w3.writeNested($0, shape: [3, 1, 2]) }
        #expect(text(w3.bytes) == "[[[1.0,2.5]],[[-3.0,0.1]],[[1e-07,NaN]]]")

        var w1 = JSONWriter()
        data.withUnsafeBufferPointer { w1.writeNested($0, shape: [6]) }
        #expect(text(w1.bytes) == "[1.0,2.5,-3.0,0.1,1e-07,NaN]")

        var wf = JSONWriter()
        data.withUnsafeBufferPointer { wf.writeFlat($0) }
        #expect(wf.bytes == w1.bytes)
    }

    /// The tensor writers format numbers four at a time (their digit searches overlap)
    /// and the rest one by one: every row length 1...9, with zeros, non-finite values,
    /// subnormals, integers, exponents and the nine-digit exception mixed in, gives the
    /// same text as writing each number alone.
    @Test(arguments: 1...9)
    func groupedTensorTextEqualsOneByOne(columns: Int) {
        var rng = SplitMix64(seed: UInt64(40 + columns))
        let unusualFloats: [Float] = [
            0, -0.0, .nan, .infinity, -.infinity, .leastNonzeroMagnitude, -.greatestFiniteMagnitude,
            Float(bitPattern: 0x15AE_43FD), Float(bitPattern: 0x95AE_43FD), 16_777_216, 1e-5, -9.999e-5, 1e16, 0.5,
        ]
        let unusualDoubles: [Double] = [
            0, -0.0, .nan, -.infinity, .leastNonzeroMagnitude, 9_007_199_254_740_993, 1e-5, 0.30000000000000004,
            1234567890123456.7, -1e300, 1.0 / 3,
        ]
        let rows = 41
        let floats: [Float] = (0..<(rows * columns)).map { _ in
            let r = rng.next()
            if r % 5 == 0 { return unusualFloats[Int(r >> 8) % unusualFloats.count] }
            let v = Float(bitPattern: UInt32(truncatingIfNeeded: r >> 16))
            return r % 5 == 1 ? v : Float(Int64(bitPattern: r) >> 40) / 65536
        }
        let doubles: [Double] = (0..<(rows * columns)).map { _ in
            let r = rng.next()
            if r % 5 == 0 { return unusualDoubles[Int(r >> 8) % unusualDoubles.count] }
            return r % 5 == 1 ? Double(bitPattern: rng.next()) : Double(Int64(bitPattern: r) >> 20) / 1e6
        }
        func oneByOne<T>(_ data: [T], _ write: (inout JSONWriter, T) -> Void) -> String {
            var rowsText: [String] = []
            for r in 0..<rows {
                var w = JSONWriter()
                w.beginArray()
                for c in 0..<columns { write(&w, data[r * columns + c]) }
                w.endArray()
                rowsText.append(text(w.bytes))
            }
            return "[" + rowsText.joined(separator: ",") + "]"
        }
        var wf = JSONWriter()
        floats.withUnsafeBufferPointer { wf.writeNested($0, shape: [rows, columns]) }
        #expect(text(wf.bytes) == oneByOne(floats) { $0.write($1) })
        var wd = JSONWriter()
        doubles.withUnsafeBufferPointer { wd.writeNested($0, shape: [rows, columns]) }
        #expect(text(wd.bytes) == oneByOne(doubles) { $0.write($1) })
    }

    @Test func nestedWriterInsideObject() {
        let data: [Double] = [1, 2, 3, 4]
        var w = JSONWriter()
        w.beginObject()
        w.writeKey("shape")
        w.beginArray()
        w.write(2)
        w.write(2)
        w.endArray()
        w.writeKey("data")
        data.withUnsafeBufferPointer { w.writeNested($0, shape: [2, 2]) }
        w.writeKey("n")
        w.write(4)
        w.endObject()
        #expect(text(w.bytes) == "{\"shape\":[2,2],\"data\":[[1.0,2.0],[3.0,4.0]],\"n\":4}")
    }

    @Test func zeroSizeShapes() {
        let empty: [Float] = []
        func nested(_ shape: [Int]) -> String {
            var w = JSONWriter()
            empty.withUnsafeBufferPointer { w.writeNested($0, shape: shape) }
            return text(w.bytes)
        }
        #expect(nested([0]) == "[]")
        #expect(nested([2, 0]) == "[[],[]]")
        #expect(nested([0, 5]) == "[]")
        #expect(nested([2, 1, 0]) == "[[[]],[[]]]")
        var w = JSONWriter()
        empty.withUnsafeBufferPointer { w.writeFlat($0) }
        #expect(text(w.bytes) == "[]")
    }

    @Test func largeNestedTensorRoundTripsExactly() throws {
        // Larger than one internal chunk (64 KiB) to cross flush boundaries.
        var rng = SplitMix64(seed: 22)
        let rows = 37
        let cols = 1001
        let data: [Float] = (0..<(rows * cols)).map { _ in
            Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0xBFFF_FFFF)  // finite, |x| < 2
        }
        var w = JSONWriter()
        data.withUnsafeBufferPointer { w.writeNested($0, shape: [rows, cols]) }
        let v = try JSONParser.parse(w.bytes, limits: JSONLimits(maxElements: 1 << 20))
        let outer = try #require(v.arrayValue)
        #expect(outer.count == rows)
        for r in 0..<rows {
            let xs = try #require(outer[r].numbersValue)
            #expect(xs.count == cols)
            for c in 0..<cols {
                #expect(Float(xs[c]).bitPattern == data[r * cols + c].bitPattern)
            }
        }
    }

    @Test func doubleTensorRoundTripsExactly() throws {
        var rng = SplitMix64(seed: 23)
        let data: [Double] = (0..<5000).map { _ in
            let d = Double(bitPattern: rng.next())
            return d.isFinite ? d : 0
        }
        var w = JSONWriter()
        data.withUnsafeBufferPointer { w.writeNested($0, shape: [50, 10, 10]) }
        let v = try JSONParser.parse(w.bytes)
        var flat: [Double] = []
        for a in try #require(v.arrayValue) {
            for b in try #require(a.arrayValue) { flat += try #require(b.numbersValue) }
        }
        #expect(flat.count == data.count)
        #expect(zip(flat, data).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    @Test func base64StringAndRawJSON() throws {
        let payload: [UInt8] = [0, 1, 2, 250, 255]
        var w = JSONWriter()
        w.beginObject()
        w.writeKey("b64")
        payload.withUnsafeBytes { w.writeBase64String($0) }
        w.writeKey("raw")
        Array("[1,2]".utf8).withUnsafeBytes { w.writeRawJSON($0) }
        w.endObject()
        #expect(text(w.bytes) == "{\"b64\":\"AAEC+v8=\",\"raw\":[1,2]}")
        let v = try JSONParser.parse(w.bytes)
        #expect(try Base64.decode(try #require(v["b64"]?.stringValue)) == payload)
    }

    @Test func takeBytesResets() {
        var w = JSONWriter()
        w.write(1)
        #expect(w.takeBytes() == Array("1".utf8))
        w.write(2)
        #expect(text(w.bytes) == "2")
    }
}
