/// Resource limits applied by `JSONParser` while it parses, so hostile input
/// fails early with `JSONError.nestingTooDeep` or `JSONError.tooLarge` instead
/// of exhausting memory or stack.
///
/// The parser is iterative (no recursion), so even a very large `maxDepth`
/// cannot overflow the stack; the limits bound memory and work. The total input
/// size is the caller's to bound (e.g. the HTTP body limit).
public struct JSONLimits: Sendable, Equatable {
    /// Deepest nesting of arrays and objects; the root container is depth 1.
    /// Default 64 (a rank-64 tensor is far beyond any model; configs nest < 10).
    /// The parser never recurses, but Swift releases a `JSONValue` tree
    /// recursively, so keep this at most a few thousand (a 512 KiB thread stack
    /// comfortably releases depth 2000).
    public var maxDepth: Int
    /// Longest string (key or value) in bytes of its decoded UTF-8.
    /// Default 64 MiB, so a `"b64"` tensor of 48 MiB fits.
    public var maxStringBytes: Int
    /// Most values in the whole document: every scalar, array and object counts
    /// one (so a `[1000][1000]` tensor is 1_001_001). Default 2^24 (16_777_216).
    public var maxElements: Int
    /// Most keys in any one object. Default 4096.
    public var maxObjectKeys: Int

    /// Creates limits; every argument defaults to the documented default.
    public init(
        maxDepth: Int = 64,
        maxStringBytes: Int = 64 << 20,
        maxElements: Int = 1 << 24,
        maxObjectKeys: Int = 4096
    ) {
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
        self.maxElements = maxElements
        self.maxObjectKeys = maxObjectKeys
    }

    /// The documented defaults: depth 64, strings 64 MiB, 2^24 elements, 4096 keys per object.
    public static let `default` = JSONLimits()

    /// The size limits a document can break (`JSONError.tooLarge`), by their property names.
    public enum Limit: String, Sendable, Hashable, CaseIterable {
        case maxStringBytes, maxElements, maxObjectKeys
    }

    /// The value of `limit`.
    public func value(of limit: Limit) -> Int {
        switch limit {
        case .maxStringBytes: maxStringBytes
        case .maxElements: maxElements
        case .maxObjectKeys: maxObjectKeys
        }
    }
}
