/// An HTTP protocol version. The HTTP/1.x parser takes 1.0 and 1.1 and answers every other
/// version with 505; `HTTPServer` serves HTTP/2 (``http2``) itself, on connections that
/// open with its preface.
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)
    /// HTTP/2: a stream of an HTTP/2 connection.
    public static let http2 = HTTPVersion(major: 2, minor: 0)

    /// `HTTP/1.1` style text.
    public var description: String { "HTTP/\(major).\(minor)" }
}
