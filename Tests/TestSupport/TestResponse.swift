/// An HTTP/1.1 response as ``RawClient`` read it off the socket: no normalisation beyond
/// splitting the head, so a test sees exactly what the server wrote.
public struct TestResponse {
    public var status: Int
    /// In the order received, names as written.
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header called `name` (compared case-insensitively), or nil.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The `code` of the fixed JSON error body (`{"error": "...", "code": "..."}`), or nil.
    public var errorCode: String? {
        guard let r = text.range(of: "\"code\":\"") else { return nil }
        let rest = text[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
