/// A JSON document tree built for tensors.
///
/// An array whose elements are all numbers (including `NaN`, `Infinity`,
/// `-Infinity`) is one contiguous `.numbers` leaf, never per-element boxes: a
/// `[1000][1024]` float array parses to an `.array` of 1000 `.numbers([Double])`
/// leaves of 1024 each. The parser produces `.numbers` for every non-empty
/// all-number array and `.array([])` for `[]`; `.array` of `.number`s built by
/// hand is accepted everywhere and compares equal to the `.numbers` form.
///
/// Equality is "writes the same JSON": numbers compare bit for bit except that
/// every NaN equals every NaN (so `-0.0 != 0.0`), and `.numbers(xs)` equals
/// `.array(xs.map(.number))`.
public enum JSONValue: Sendable {
    /// `null`
    case null
    /// `true` or `false`
    case bool(Bool)
    /// A number outside an all-number array (or at the root), as a correctly rounded Double.
    case number(Double)
    /// A string, always valid Unicode.
    case string(String)
    /// A non-empty array whose elements are all numbers, as one contiguous buffer.
    case numbers([Double])
    /// Any other array (including the empty array).
    case array([JSONValue])
    /// An object, keys in document order, no duplicates.
    case object(JSONObject)
}

extension JSONValue {
    /// The JSON type name for messages: `null`, `boolean`, `number`, `string`, `array`, `object`.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .numbers, .array: "array"
        case .object: "object"
        }
    }

    /// ``typeName`` with its article, for messages: "an array", "a number", "null".
    public var typeNameWithArticle: String {
        switch self {
        case .null: "null"
        case .numbers, .array, .object: "an \(typeName)"
        default: "a \(typeName)"
        }
    }

    /// A short rendering for messages: a number as written, a string quoted and cut to its
    /// first 40 characters, anything else by its type ("an array"), so no error repeats a
    /// large value back.
    public var excerpt: String {
        switch self {
        case .number(let value): "\(value)"
        case .bool(let value): "\(value)"
        case .string(let text): JSONValue.quotedExcerpt(text)
        default: typeNameWithArticle
        }
    }

    /// `text` quoted, cut to its first 40 characters with its length in bytes when longer.
    public static func quotedExcerpt(_ text: String) -> String {
        text.count <= 40 ? "\"\(text)\"" : "\"\(text.prefix(40))…\" (\(text.utf8.count) bytes)"
    }

    /// True for `.null`.
    public var isNull: Bool { if case .null = self { true } else { false } }

    /// The Bool of a `.bool`, else nil.
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }

    /// The Double of a `.number` (any value, NaN and infinities included), else nil.
    public var doubleValue: Double? { if case .number(let d) = self { d } else { nil } }

    /// The Int of a `.number` that is an exact integer in `Int`'s range
    /// (`3.0` and `3e2` qualify, `3.5`, `1e300`, NaN do not), else nil.
    public var intValue: Int? {
        guard case .number(let d) = self,
            d >= -9_223_372_036_854_775_808.0, d < 9_223_372_036_854_775_808.0  // false for NaN
        else { return nil }
        let i = Int(d)  // truncates; no libm needed (this module imports nothing)
        return Double(i) == d ? i : nil
    }

    /// The String of a `.string`, else nil.
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }

    /// The object of an `.object`, else nil.
    public var objectValue: JSONObject? { if case .object(let o) = self { o } else { nil } }

    /// The elements of an array (`.numbers` are expanded to `.number`s, which
    /// allocates: prefer `numbersValue` for tensors), else nil.
    public var arrayValue: [JSONValue]? {
        switch self {
        case .array(let a): return a
        case .numbers(let xs): return xs.map { .number($0) }
        default: return nil
        }
    }

    /// The numbers of an all-number array: the `.numbers` buffer itself (no copy),
    /// `[]` for the empty array, or the values of an `.array` of `.number`s; else nil.
    public var numbersValue: [Double]? {
        switch self {
        case .numbers(let xs): return xs
        case .array(let a):
            var out: [Double] = []
            out.reserveCapacity(a.count)
            for v in a {
                guard case .number(let d) = v else { return nil }
                out.append(d)
            }
            return out
        default: return nil
        }
    }

    /// Number of elements of an array or members of an object, else nil.
    public var count: Int? {
        switch self {
        case .array(let a): a.count
        case .numbers(let xs): xs.count
        case .object(let o): o.count
        default: nil
        }
    }

    /// The value for `key` when this is an object holding it, else nil.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }
}

extension JSONValue: Equatable {
    /// "Writes the same JSON": see the type's documentation.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return sameNumber(a, b)
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.object(let a), .object(let b)): return a == b
        case (.numbers(let a), .numbers(let b)):
            guard a.count == b.count else { return false }
            for i in a.indices where !sameNumber(a[i], b[i]) { return false }
            return true
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return false }
            for i in a.indices where a[i] != b[i] { return false }
            return true
        case (.numbers(let xs), .array(let a)), (.array(let a), .numbers(let xs)):
            guard a.count == xs.count else { return false }
            for i in a.indices {
                guard case .number(let d) = a[i], sameNumber(d, xs[i]) else { return false }
            }
            return true
        default: return false
        }
    }

    @inline(__always)
    static func sameNumber(_ a: Double, _ b: Double) -> Bool {
        a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// `nil` → `.null`.
    public init(nilLiteral: ()) { self = .null }
    /// `true`/`false` → `.bool`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer literal → `.number` (exact up to 2^53).
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// A float literal → `.number`.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// A string literal → `.string`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array literal; all-number non-empty literals become `.numbers`, like the parser.
    public init(arrayLiteral elements: JSONValue...) {
        var xs: [Double] = []
        xs.reserveCapacity(elements.count)
        for e in elements {
            guard case .number(let d) = e else {
                self = .array(elements)
                return
            }
            xs.append(d)
        }
        self = xs.isEmpty ? .array([]) : .numbers(xs)
    }
    /// A dictionary literal; a repeated key keeps the last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var o = JSONObject()
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text of the value (as `JSONWriter` writes it).
    public var description: String {
        var w = JSONWriter()
        w.write(self)
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
