/// An HTTP protocol version. Only 1.0 and 1.1 are served; the parser answers
/// every other version (including the HTTP/2 preface `PRI * HTTP/2.0`) with 505.
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    /// `HTTP/1.1` style text.
    public var description: String { "HTTP/\(major).\(minor)" }
}
