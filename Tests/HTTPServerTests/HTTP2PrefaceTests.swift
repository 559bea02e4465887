import Glibc
import TestSupport
import Testing

@testable import HTTPServer

/// How a connection's first bytes choose between HTTP/1.1 and HTTP/2.
@Suite struct HTTP2PrefaceTests {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
    /// An empty SETTINGS frame: length 0, type 4, no flags, stream 0.
    static let emptySettings: [UInt8] = [0, 0, 0, 4, 0, 0, 0, 0, 0]

    @Test func prefaceIsAnswered505WhenHTTP2IsOff() throws {
        var configuration = testConfiguration()
        configuration.http2.enabled = false
        try withServer(configuration) { _, port in
            let c = try RawClient(port: port)
            c.send(Self.preface)
            let r = try #require(c.readResponse())
            #expect(r.status == 505 && r.errorCode == "http_version_not_supported")
            #expect(c.readsEOF())
        }
    }

    /// The preface whole, or one byte per write (each a separate read for the server): either
    /// way the server's first frame is its SETTINGS.
    @Test(arguments: [24, 1])
    func prefaceStartsAnHTTP2Session(bytesPerWrite: Int) throws {
        try withServer { _, port in
            let c = try RawClient(port: port)
            var offset = 0
            while offset < Self.preface.count {
                c.send(Array(Self.preface[offset..<min(offset + bytesPerWrite, Self.preface.count)]))
                offset += bytesPerWrite
                if bytesPerWrite == 1 { usleep(2000) }
            }
            c.send(Self.emptySettings)
            let head = try #require(c.readBytes(9))
            #expect(head[3] == 4, "first frame type \(head[3]), expected SETTINGS (4)")
            #expect(head[4] & 1 == 0 && head[5...8].allSatisfy { $0 == 0 }, "not an ACK, stream 0")
        }
    }

    /// A request line that merely starts like the preface is HTTP/1.1.
    @Test func prefixOfThePrefaceThenHTTP1IsHTTP1() throws {
        try withServer { _, port in
            let c = try RawClient(port: port)
            c.send("P")
            usleep(5000)
            c.send("OST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi")
            let r = try #require(c.readResponse())
            #expect(r.status == 200 && r.text == "hi" && r.header("X-Method") == "POST")
        }
    }

    @Test func matchPrefaceClassifiesPrefixes() {
        func match(_ bytes: [UInt8]) -> HTTP2Session.PrefaceMatch { bytes.withUnsafeBytes { HTTP2Session.matchPreface($0) } }
        #expect(match(Array(Self.preface[0..<5])) == .partial)
        #expect(match(Self.preface) == .http2)
        #expect(match(Self.preface + [0, 0]) == .http2)
        #expect(match(Array("PRI * HTTP/1.1\r\n".utf8)) == .http1)
        #expect(match(Array("GET / HTTP/1.1\r\n".utf8)) == .http1)
    }
}
