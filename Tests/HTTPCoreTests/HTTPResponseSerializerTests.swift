import HTTPCore
import Testing

@Suite struct HTTPResponseSerializerTests {
    func text(_ r: HTTPResponse, omitBody: Bool = false) -> String {
        String(decoding: HTTPResponseSerializer.serialize(r, omitBody: omitBody), as: UTF8.self)
    }

    @Test func statusHeadersLengthBody() {
        let r = HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], text: "{\"live\":true}")
        #expect(text(r) == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"live\":true}")
    }

    @Test func headKeepsLengthDropsBody() {
        let r = HTTPResponse(status: 404, text: "nope")
        #expect(text(r, omitBody: true) == "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\n")
    }

    @Test func noContentHasNoLengthNorBody() {
        #expect(text(HTTPResponse(status: 204, text: "x")) == "HTTP/1.1 204 No Content\r\n\r\n")
        #expect(text(HTTPResponse(status: 304, text: "x")) == "HTTP/1.1 304 Not Modified\r\nContent-Length: 1\r\n\r\n")
    }

    @Test func framingAndUnsafeFieldsDropped() {
        var h = HTTPHeaders()
        h.add(name: "Content-Length", value: "999")
        h.add(name: "Transfer-Encoding", value: "chunked")
        h.add(name: "connection", value: "upgrade")
        h.add(name: "X-Evil", value: "a\r\nSet-Cookie: x")
        h.add(name: "Bad Name", value: "v")
        h.add(name: "X-Ok", value: "fine")
        #expect(
            text(HTTPResponse(status: 201, headers: h, text: "ab")) == "HTTP/1.1 201 Created\r\nX-Ok: fine\r\nContent-Length: 2\r\n\r\nab")
    }

    @Test func extraFieldsAndDecimal() {
        var out: [UInt8] = []
        HTTPResponseSerializer.serialize(HTTPResponse(status: 599, body: Array(repeating: 65, count: 1234567)), into: &out) { o in
            HTTPResponseSerializer.appendField(name: "Server", value: "t", into: &o)
        }
        let head = String(decoding: out.prefix(70), as: UTF8.self)
        #expect(head.hasPrefix("HTTP/1.1 599 Server Error\r\nServer: t\r\nContent-Length: 1234567\r\n\r\nAAA"))
        #expect(out.count == 1234567 + 65)
    }

    @Test func headersLookup() {
        var h: HTTPHeaders = ["Accept": "a", "X": "1"]
        h.add(name: "ACCEPT", value: "b")
        #expect(h["accept"] == "a")
        #expect(h.values(for: "Accept") == ["a", "b"])
        h.replaceOrAdd(name: "accept", value: "c")
        #expect(h.values(for: "accept") == ["c"])
        h.remove(name: "x")
        #expect(!h.contains("X") && h.count == 1)
    }
}
