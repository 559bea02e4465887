import Testing

@testable import TensorJSON

@Suite struct JSONValueTests {
    @Test func accessors() throws {
        let v = try JSONParser.parse(
            "{\"units\": 10, \"rate\": 0.5, \"big\": 1e300, \"name\": \"d\", \"on\": true, \"x\": [1, 2], \"n\": null, \"e\": 3e2}")
        #expect(v["units"]?.intValue == 10)
        #expect(v["e"]?.intValue == 300)
        #expect(v["rate"]?.intValue == nil)
        #expect(v["rate"]?.doubleValue == 0.5)
        #expect(v["big"]?.intValue == nil)
        #expect(v["name"]?.stringValue == "d")
        #expect(v["name"]?.intValue == nil)
        #expect(v["on"]?.boolValue == true)
        #expect(v["n"]?.isNull == true)
        #expect(v["x"]?.numbersValue == [1, 2])
        #expect(v["x"]?.arrayValue == [.number(1), .number(2)])
        #expect(v["x"]?.count == 2)
        #expect(v["missing"] == nil)
        #expect(v.count == 8)
        #expect(v.objectValue?.keys == ["units", "rate", "big", "name", "on", "x", "n", "e"])
        #expect(v["x"]?.typeName == "array")
        #expect(v.typeName == "object")
    }

    @Test func intValueEdges() {
        #expect(JSONValue.number(9.223372036854775807e18).intValue == nil)  // 2^63
        #expect(JSONValue.number(-9.223372036854775808e18).intValue == Int.min)
        #expect(JSONValue.number(.nan).intValue == nil)
        #expect(JSONValue.number(.infinity).intValue == nil)
        #expect(JSONValue.number(-0.0).intValue == 0)
        #expect(JSONValue.number(2_147_483_648).intValue == 2_147_483_648)
    }

    @Test func equalityIsSameJSON() {
        #expect(JSONValue.numbers([1, 2]) == .array([.number(1), .number(2)]))
        #expect(JSONValue.array([]) == .numbers([]))
        #expect(JSONValue.number(.nan) == .number(.nan))
        #expect(JSONValue.number(0) != .number(-0.0))
        #expect(JSONValue.numbers([1]) != .array([.string("1")]))
        #expect(JSONValue.string("\u{E9}") != .string("e\u{301}"))
        let a: JSONValue = ["a": 1, "b": 2]
        let b: JSONValue = ["b": 2, "a": 1]
        #expect(a != b)  // member order is part of the document
    }

    @Test func literalsBuildTheParserShapes() {
        let v: JSONValue = [1, 2, 3]
        if case .numbers(let xs) = v { #expect(xs == [1, 2, 3]) } else { Issue.record("not .numbers") }
        let e: JSONValue = []
        if case .array(let a) = e { #expect(a.isEmpty) } else { Issue.record("not .array") }
    }

    @Test func objectMutation() {
        var o = JSONObject()
        for i in 0..<40 { o["k\(i)"] = .number(Double(i)) }
        #expect(o.count == 40)
        #expect(o["k33"] == .number(33))
        o["k33"] = "x"
        #expect(o["k33"] == "x")
        #expect(o.count == 40)
        o["k0"] = nil
        #expect(o.count == 39)
        #expect(o["k0"] == nil)
        #expect(o["k39"] == .number(39))
        #expect(o.keys.first == "k1")
        let small = JSONObject([("a", 1), ("b", 2), ("a", 3)])
        #expect(small.count == 2)
        #expect(small["a"] == 3)
    }

    @Test func descriptionIsCompactJSON() {
        let v: JSONValue = ["a": [1, 2.5], "b": nil]
        #expect(v.description == "{\"a\":[1.0,2.5],\"b\":null}")
    }

    @Test func errorCodesAreStable() {
        let all: [(JSONError, String)] = [
            (.malformedJSON(offset: 0, message: ""), "malformed_json"),
            (.duplicateKey(offset: 0, message: ""), "duplicate_key"),
            (.nestingTooDeep(offset: 0, message: ""), "nesting_too_deep"),
            (.numberOutOfRange(offset: 0, message: ""), "number_out_of_range"),
            (.invalidUTF8(offset: 0, message: ""), "invalid_utf8"),
            (.tooLarge(offset: 0, limit: .maxElements, message: ""), "too_large"),
            (.invalidBase64(offset: 0, message: ""), "invalid_base64"),
        ]
        for (e, code) in all { #expect(e.code == code) }
        #expect(JSONError.tooLarge(offset: 7, limit: .maxStringBytes, message: "m").description == "m at byte 7")
    }
}
