/// A JSON object: key/value members in document order, keys unique.
///
/// Keys compare by their UTF-8 bytes (as JSON defines them), not by Swift's
/// Unicode canonical equivalence, so `"\u00e9"` and `"e\u0301"` are two keys.
/// Lookup is a linear scan for small objects and a hash index (built once, at
/// construction) above `indexThreshold` members.
public struct JSONObject: Sendable, Equatable, RandomAccessCollection {
    /// One member.
    public typealias Element = (key: String, value: JSONValue)

    /// The members in document order.
    public private(set) var members: [Element]
    private var index: [UTF8Key: Int]?

    /// Objects with more members than this get a hash index.
    static let indexThreshold = 12

    /// An empty object.
    public init() {
        members = []
        index = nil
    }

    /// An object from members; a repeated key keeps its first position and last value.
    public init(_ members: [(String, JSONValue)]) {
        self.init()
        for (k, v) in members { self[k] = v }
    }

    /// Builds from members already in order; returns the position of the first
    /// key that repeats an earlier one, if any (the object is then unusable).
    init(checkingDuplicates members: [Element], duplicateAt: inout Int?) {
        self.members = members
        self.index = nil
        duplicateAt = nil
        if members.count > JSONObject.indexThreshold {
            var idx: [UTF8Key: Int] = [:]
            idx.reserveCapacity(members.count)
            for (i, m) in members.enumerated() {
                if idx.updateValue(i, forKey: UTF8Key(m.key)) != nil {
                    duplicateAt = i
                    return
                }
            }
            index = idx
        } else if members.count > 1 {
            for i in 1..<members.count {
                for j in 0..<i where UTF8Key.equal(members[i].key, members[j].key) {
                    duplicateAt = i
                    return
                }
            }
        }
    }

    /// Always 0.
    public var startIndex: Int { 0 }
    /// The number of members.
    public var endIndex: Int { members.count }
    /// The member at `position` (document order).
    public subscript(position: Int) -> Element { members[position] }

    /// The keys in document order.
    public var keys: [String] { members.map(\.key) }

    /// Position of `key`, or nil.
    public func position(of key: String) -> Int? {
        if let index { return index[UTF8Key(key)] }
        for i in members.indices where UTF8Key.equal(members[i].key, key) { return i }
        return nil
    }

    /// The value for `key`, or nil. Setting nil removes the member; setting a new
    /// key appends it.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let i = position(of: key) else { return nil }
            return members[i].value
        }
        set {
            if let i = position(of: key) {
                if let newValue {
                    members[i].value = newValue
                } else {
                    members.remove(at: i)
                    rebuildIndex()
                }
            } else if let newValue {
                members.append((key, newValue))
                if index != nil {
                    index![UTF8Key(key)] = members.count - 1
                } else if members.count > JSONObject.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    private mutating func rebuildIndex() {
        guard members.count > JSONObject.indexThreshold else {
            index = nil
            return
        }
        var idx: [UTF8Key: Int] = [:]
        idx.reserveCapacity(members.count)
        for (i, m) in members.enumerated() { idx[UTF8Key(m.key)] = i }
        index = idx
    }

    /// Same members in the same order (values compared as `JSONValue.==`).
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for i in lhs.members.indices {
            guard UTF8Key.equal(lhs.members[i].key, rhs.members[i].key),
                lhs.members[i].value == rhs.members[i].value
            else { return false }
        }
        return true
    }
}

/// A String key hashed and compared by its UTF-8 bytes.
struct UTF8Key: Hashable {
    let string: String
    init(_ string: String) { self.string = string }

    static func equal(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        guard a.utf8.count == b.utf8.count else { return false }
        return a.withUTF8 { pa in
            b.withUTF8 { pb in
                for i in 0..<pa.count where pa[i] != pb[i] { return false }
                return true
            }
        }
    }

    static func == (lhs: UTF8Key, rhs: UTF8Key) -> Bool { equal(lhs.string, rhs.string) }

    func hash(into hasher: inout Hasher) {
        var s = string
        s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
