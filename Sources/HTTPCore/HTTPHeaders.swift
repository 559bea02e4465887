/// One header (or trailer) field as received or to be sent.
public struct HTTPField: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An ordered list of header fields with ASCII case-insensitive lookup.
///
/// Order and repetition are kept exactly as received (`Set-Cookie`, repeated
/// `Accept`), names keep their spelling. Lookups compare names ignoring ASCII case.
public struct HTTPHeaders: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [HTTPField]

    public init() { fields = [] }

    public init(_ fields: [HTTPField]) { self.fields = fields }

    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { HTTPField(name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { HTTPField(name: $0.0, value: $0.1) }
    }

    public var startIndex: Int { fields.startIndex }
    public var endIndex: Int { fields.endIndex }
    public subscript(position: Int) -> HTTPField { fields[position] }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        for f in fields where equalsIgnoringASCIICaseBoth(f.name, name) { return f.value }
        return nil
    }

    /// Every value of `name`, in order.
    public func values(for name: String) -> [String] {
        fields.filter { equalsIgnoringASCIICaseBoth($0.name, name) }.map(\.value)
    }

    /// Whether a field named `name` is present.
    public func contains(_ name: String) -> Bool {
        fields.contains { equalsIgnoringASCIICaseBoth($0.name, name) }
    }

    /// Appends a field, keeping any existing ones of the same name.
    public mutating func add(name: String, value: String) {
        fields.append(HTTPField(name: name, value: value))
    }

    /// Replaces every field named `name` by one field (appended if absent).
    public mutating func replaceOrAdd(name: String, value: String) {
        if let i = fields.firstIndex(where: { equalsIgnoringASCIICaseBoth($0.name, name) }) {
            fields[i].value = value
            var j = i + 1
            while j < fields.count {
                if equalsIgnoringASCIICaseBoth(fields[j].name, name) { fields.remove(at: j) } else { j += 1 }
            }
        } else {
            add(name: name, value: value)
        }
    }

    /// Removes every field named `name`.
    public mutating func remove(name: String) {
        fields.removeAll { equalsIgnoringASCIICaseBoth($0.name, name) }
    }

    mutating func reserveCapacity(_ n: Int) { fields.reserveCapacity(n) }
    mutating func appendField(_ f: HTTPField) { fields.append(f) }
}
