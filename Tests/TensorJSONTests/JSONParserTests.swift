import Testing

@testable import TensorJSON

@Suite struct JSONParserTests {
    // MARK: valid documents

    static let validCases: [(String, JSONValue)] = [
        ("null", .null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("0", .number(0)),
        ("-0", .number(-0.0)),
        ("-0.0", .number(-0.0)),
        ("1", .number(1)),
        ("-12.5e-1", .number(-1.25)),
        ("1E2", .number(100)),
        ("1e+2", .number(100)),
        ("0.5", .number(0.5)),
        ("NaN", .number(.nan)),
        ("Infinity", .number(.infinity)),
        ("-Infinity", .number(-.infinity)),
        ("\"\"", .string("")),
        ("\"abc\"", .string("abc")),
        ("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", .string("a\"b\\c/d\u{8}\u{C}\n\r\t")),
        ("\"\\u0041\\u00e9\\u20AC\"", .string("Aé€")),
        ("\"\\ud83d\\ude00\"", .string("😀")),
        ("\"\\u0000\"", .string("\u{0}")),
        ("\"héllo €😀\"", .string("héllo €😀")),
        ("[]", .array([])),
        ("[ ]", .array([])),
        ("{}", .object(JSONObject())),
        (" \t\r\n[1, 2 ,3]\n ", .numbers([1, 2, 3])),
        ("[1,NaN,-Infinity,Infinity]", .numbers([1, .nan, -.infinity, .infinity])),
        ("[[1,2],[3,4]]", .array([.numbers([1, 2]), .numbers([3, 4])])),
        ("[1,\"a\"]", .array([.number(1), .string("a")])),
        ("[1,2,[3]]", .array([.number(1), .number(2), .numbers([3])])),
        ("[\"a\",1,2]", .array([.string("a"), .number(1), .number(2)])),
        ("[[],[[]]]", .array([.array([]), .array([.array([])])])),
        (
            "{\"a\":1,\"b\":[true,null],\"c\":{\"d\":\"e\"}}",
            .object(
                JSONObject([
                    ("a", .number(1)), ("b", .array([.bool(true), .null])),
                    ("c", .object(JSONObject([("d", .string("e"))]))),
                ]))
        ),
        ("{ \"a\" : 1 , \"b\" : 2 }", .object(JSONObject([("a", 1), ("b", 2)]))),
    ]

    @Test(arguments: validCases)
    func parsesValid(_ input: String, _ expected: JSONValue) throws {
        let v = try JSONParser.parse(input)
        #expect(v == expected, "\(input)")
    }

    @Test func allNumberArraysAreContiguousLeaves() throws {
        let v = try JSONParser.parse("[[1.5, 2, -3e2], [4, 5, 6]]")
        guard case .array(let rows) = v else {
            Issue.record("expected .array, got \(v)")
            return
        }
        #expect(rows.count == 2)
        for row in rows {
            guard case .numbers(let xs) = row else {
                Issue.record("row is not a .numbers leaf: \(row)")
                continue
            }
            #expect(xs.count == 3)
        }
        #expect(rows[0].numbersValue == [1.5, 2, -300])
    }

    @Test func mixedArrayAfterNumbersKeepsOrder() throws {
        let v = try JSONParser.parse("[1, 2, 3, {\"a\": 4}, 5]")
        #expect(v == .array([1, 2, 3, ["a": 4], 5]))
        guard case .array(let a) = v else { return }
        #expect(a.count == 5)
    }

    @Test func objectsKeepDocumentOrderAndLookUp() throws {
        var text = "{"
        for i in 0..<100 { text += (i > 0 ? "," : "") + "\"k\(99 - i)\":\(i)" }
        text += "}"
        let v = try JSONParser.parse(text)
        let o = try #require(v.objectValue)
        #expect(o.count == 100)
        #expect(o.keys.first == "k99")
        #expect(o["k0"]?.intValue == 99)
        #expect(o["k99"]?.intValue == 0)
        #expect(o["missing"] == nil)
    }

    @Test func keysCompareByBytesNotCanonicalEquivalence() throws {
        // "é" precomposed and decomposed are different JSON keys.
        let v = try JSONParser.parse("{\"\\u00e9\": 1, \"e\\u0301\": 2}")
        let o = try #require(v.objectValue)
        #expect(o.count == 2)
        #expect(o["\u{E9}"]?.intValue == 1)
        #expect(o["e\u{301}"]?.intValue == 2)
    }

    @Test func parsesFromBytesAndRawBuffer() throws {
        let bytes = Array("{\"x\": [1, 2]}".utf8)
        let a = try JSONParser.parse(bytes)
        let b = try bytes.withUnsafeBytes { raw in try JSONParser.parse(raw) }
        #expect(a == b)
        #expect(a["x"] == .numbers([1, 2]))
    }

    // MARK: invalid documents

    static let invalidCases: [(String, String)] = [
        ("", "malformed_json"),
        ("   ", "malformed_json"),
        ("nul", "malformed_json"),
        ("nulx", "malformed_json"),
        ("True", "malformed_json"),
        ("[1,]", "malformed_json"),
        ("[,1]", "malformed_json"),
        ("[1 2]", "malformed_json"),
        ("[1", "malformed_json"),
        ("[1,", "malformed_json"),
        ("[", "malformed_json"),
        ("]", "malformed_json"),
        ("{\"a\":1,}", "malformed_json"),
        ("{\"a\" 1}", "malformed_json"),
        ("{\"a\":}", "malformed_json"),
        ("{a:1}", "malformed_json"),
        ("{'a':1}", "malformed_json"),
        ("{\"a\":1", "malformed_json"),
        ("{\"a\":1 \"b\":2}", "malformed_json"),
        ("[1]]", "malformed_json"),
        ("[1] x", "malformed_json"),
        ("1 2", "malformed_json"),
        ("{} {}", "malformed_json"),
        ("01", "malformed_json"),
        ("-01", "malformed_json"),
        ("00", "malformed_json"),
        ("[01]", "malformed_json"),
        ("1.", "malformed_json"),
        ("1.e5", "malformed_json"),
        (".5", "malformed_json"),
        ("+1", "malformed_json"),
        ("-", "malformed_json"),
        ("- 1", "malformed_json"),
        ("1e", "malformed_json"),
        ("1e+", "malformed_json"),
        ("1e-", "malformed_json"),
        ("0x10", "malformed_json"),
        ("1_000", "malformed_json"),
        ("nan", "malformed_json"),
        ("inf", "malformed_json"),
        ("-NaN", "malformed_json"),
        ("+Infinity", "malformed_json"),
        ("Infinit", "malformed_json"),
        ("-Inf", "malformed_json"),
        ("\"abc", "malformed_json"),
        ("\"a\tb\"", "malformed_json"),
        ("\"a\nb\"", "malformed_json"),
        ("\"\\x\"", "malformed_json"),
        ("\"\\u12\"", "malformed_json"),
        ("\"\\u12g4\"", "malformed_json"),
        ("\"\\", "malformed_json"),
        ("\"\\ud800\"", "invalid_utf8"),
        ("\"\\udc00\"", "invalid_utf8"),
        ("\"\\ud800\\u0041\"", "invalid_utf8"),
        ("\"\\ud800x\"", "invalid_utf8"),
        ("\"\\ud83d\\ud83d\"", "invalid_utf8"),
        ("{\"a\":1,\"a\":2}", "duplicate_key"),
        ("{\"a\":1,\"b\":{\"c\":1,\"c\":1}}", "duplicate_key"),
        ("{\"\\u0061\":1,\"a\":2}", "duplicate_key"),
        ("1e400", "number_out_of_range"),
        ("-1e400", "number_out_of_range"),
        ("[1, 1.8e308]", "number_out_of_range"),
        (
            "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792",
            "number_out_of_range"
        ),
    ]

    @Test(arguments: invalidCases)
    func rejectsInvalid(_ input: String, _ code: String) {
        #expect(errorCode(input) == code, "\(input)")
    }

    static let invalidUTF8: [[UInt8]] = [
        [0x22, 0xFF, 0x22],  // 0xFF never valid
        [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
        [0x22, 0xC3, 0x22],  // truncated 2-byte
        [0x22, 0xE2, 0x82, 0x22],  // truncated 3-byte
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // UTF-8 encoded surrogate U+D800
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // > U+10FFFF
        [0x22, 0xF0, 0x82, 0x82, 0xAC, 0x22],  // overlong 4-byte
        [0x22, 0x80, 0x22],  // lone continuation
        [0x22, 0xE2, 0x82],  // truncated at end of input
    ]

    @Test(arguments: invalidUTF8)
    func rejectsInvalidUTF8(_ bytes: [UInt8]) {
        #expect(parseError(bytes)?.code == "invalid_utf8")
    }

    @Test func acceptsEveryValidUTF8Boundary() throws {
        let samples: [UInt32] = [0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF]
        for u in samples {
            let s = String(Unicode.Scalar(u)!)
            let v = try JSONParser.parse(Array(("\"" + s + "\"").utf8))
            #expect(v == .string(s))
        }
    }

    @Test func rejectsInvalidUTF8InKeysAndAfterEscapes() {
        #expect(parseError([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D])?.code == "invalid_utf8")
        #expect(parseError([0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22])?.code == "invalid_utf8")
    }

    @Test func rejectsEveryControlCharacterInStrings() {
        for c in UInt8(0)..<0x20 {
            #expect(parseError([0x22, c, 0x22])?.code == "malformed_json", "byte \(c)")
        }
        // DEL is allowed.
        #expect(parseError([0x22, 0x7F, 0x22]) == nil)
    }

    // MARK: offsets and messages

    @Test func errorsCarryOffsets() {
        #expect(parseError(Array("[1, 2, x]".utf8))?.offset == 7)
        #expect(parseError(Array("{\"a\":1, \"a\":2}".utf8))?.offset == 8)
        #expect(parseError(Array("[1] x".utf8))?.offset == 4)
        #expect(parseError(Array("[1, 1e400]".utf8))?.offset == 4)
        #expect(parseError(Array("\"ab\u{1}\"".utf8))?.offset == 3)
    }

    @Test func messagesNameTheProblem() {
        let e = parseError(Array("{\"units\": 1, \"units\": 2}".utf8))
        #expect(e?.message.contains("units") == true)
        #expect(e?.description.contains("at byte 13") == true)
        let n = parseError(Array("1e400".utf8))
        #expect(n?.message.contains("1e400") == true)
        let t = parseError(Array("[1] x".utf8))
        #expect(t?.message.contains("'x'") == true)
    }

    // MARK: limits

    @Test func depthLimitDefaultsTo64() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONParser.parse(ok)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(errorCode(deep) == "nesting_too_deep")
        let objects = String(repeating: "{\"a\":", count: 65) + "1" + String(repeating: "}", count: 65)
        #expect(errorCode(objects) == "nesting_too_deep")
    }

    @Test func hundredThousandOpenBracketsFailFast() {
        let hostile = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        let e = parseError(hostile)
        #expect(e?.code == "nesting_too_deep")
        #expect(e?.offset == 64)
    }

    @Test func deepNestingWithRaisedLimitParsesIteratively() throws {
        // The parser itself is iterative; the depth bound protects the caller, since
        // Swift releases a nested tree recursively (see JSONLimits.maxDepth).
        let n = 2_000
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: n) + [UInt8](repeating: UInt8(ascii: "]"), count: n)
        let v = try JSONParser.parse(deep, limits: JSONLimits(maxDepth: n))
        #expect(v.count == 1)
        #expect(parseError(deep, limits: JSONLimits(maxDepth: n - 1))?.code == "nesting_too_deep")
    }

    @Test func stringLimit() {
        let limits = JSONLimits(maxStringBytes: 4)
        #expect(errorCode("\"abcd\"", limits: limits) == nil)
        #expect(errorCode("\"abcde\"", limits: limits) == "too_large")
        #expect(errorCode("\"ab\\ncd\"", limits: limits) == "too_large")
        #expect(errorCode("{\"abcde\":1}", limits: limits) == "too_large")
    }

    @Test func elementLimit() {
        let limits = JSONLimits(maxElements: 4)
        #expect(errorCode("[1,2,3]", limits: limits) == nil)  // 4 values
        #expect(errorCode("[1,2,3,4]", limits: limits) == "too_large")
        #expect(errorCode("[[1],[2]]", limits: limits) == "too_large")
        #expect(errorCode("{\"a\":1,\"b\":2,\"c\":3,\"d\":4}", limits: limits) == "too_large")
    }

    @Test func objectKeyLimit() {
        let limits = JSONLimits(maxObjectKeys: 2)
        #expect(errorCode("{\"a\":1,\"b\":2}", limits: limits) == nil)
        #expect(errorCode("{\"a\":1,\"b\":2,\"c\":3}", limits: limits) == "too_large")
        #expect(errorCode("[{\"a\":1,\"b\":2},{\"a\":1,\"b\":2}]", limits: limits) == nil)
    }

    @Test func defaultsAreDocumented() {
        let d = JSONLimits.default
        #expect(d.maxDepth == 64)
        #expect(d.maxStringBytes == 64 << 20)
        #expect(d.maxElements == 1 << 24)
        #expect(d.maxObjectKeys == 4096)
    }

    @Test func tenMegabytesOfWhitespace() {
        let ws = [UInt8](repeating: UInt8(ascii: " "), count: 10 << 20)
        #expect(parseError(ws)?.code == "malformed_json")
        #expect(parseError(ws + [UInt8(ascii: "1")]) == nil)
        #expect(parseError([UInt8(ascii: "[")] + ws + [UInt8(ascii: "]")]) == nil)
    }

    @Test func duplicateKeysInLargeObjects() {
        var text = "{"
        for i in 0..<500 { text += "\"k\(i)\":\(i)," }
        text += "\"k250\":0}"
        #expect(errorCode(text) == "duplicate_key")
    }
}
