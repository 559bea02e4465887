import Dispatch
import Foundation
import Glibc
import Synchronization
import Testing

@testable import HTTPServer

/// A response as the raw-socket client saw it.
struct TestResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The `code` of the fixed JSON error body.
    var errorCode: String? {
        guard let r = text.range(of: "\"code\":\"") else { return nil }
        let rest = text[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}

enum TestError: Error { case connect(Int32), io(String) }

/// A blocking TCP client on 127.0.0.1 with a receive timeout, so no test can hang.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, receiveBufferBytes: Int? = nil, timeoutSeconds: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestError.connect(errno) }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBufferBytes.map(Int32.init) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw TestError.connect(e)
        }
    }

    deinit { close(fd) }

    /// How long a read waits from now on.
    func setReceiveTimeout(_ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Reads more bytes; false on EOF, error or timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        buffer += chunk[0..<n]
        return true
    }

    /// One response (an interim 1xx counts as one). Nil on EOF/timeout before a full response.
    func readResponse(head: Bool = false) -> TestResponse? {
        var end: Int?
        var guardCount = 0
        while end == nil {
            if let r = findHeaderEnd() {
                end = r
                break
            }
            guardCount += 1
            if guardCount > 100_000 || !fill() { return nil }
        }
        let headText = String(decoding: buffer[0..<end!], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        var headers: [(String, String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        buffer.removeFirst(end! + 4)
        var response = TestResponse(status: status, headers: headers, body: [])
        if status < 200 || status == 204 || status == 304 || head { return response }
        let length = Int(response.header("Content-Length") ?? "0") ?? 0
        while buffer.count < length {
            guardCount += 1
            if guardCount > 100_000 || !fill() { return nil }
        }
        response.body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return response
    }

    private func findHeaderEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4)
        where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }

    /// Exactly `count` bytes (buffered first); nil on EOF or timeout before them.
    func readBytes(_ count: Int) -> [UInt8]? {
        var rounds = 0
        while buffer.count < count {
            rounds += 1
            if rounds > 100_000 || !fill() { return nil }
        }
        defer { buffer.removeFirst(count) }
        return Array(buffer[0..<count])
    }

    /// Whether the peer closed (EOF or reset) with nothing more to read within the timeout.
    func readsEOF() -> Bool {
        guard buffer.isEmpty else { return false }
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, 0)
        if n == 0 { return true }
        if n < 0 { return errno == ECONNRESET }
        return false
    }
}

/// Waits (polling, bounded) until `condition` holds; returns whether it did.
@discardableResult
func eventually(timeoutSeconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    var spins = 0
    while Date() < deadline && spins < 100_000 {
        if condition() { return true }
        spins += 1
        usleep(2000)
    }
    return condition()
}

/// Test configuration: loopback, ephemeral port, short timeouts where asked.
func testConfiguration(
    limits: HTTPLimits = .default, timeouts: Double = 10, idle: Double? = nil, maxConnections: Int = 256,
    gzipMinBytes: Int = 1024
) -> HTTPServerConfiguration {
    HTTPServerConfiguration(
        host: "127.0.0.1", port: 0, limits: limits, headerReadTimeout: timeouts, bodyReadTimeout: timeouts,
        idleTimeout: idle ?? timeouts, writeTimeout: timeouts, maxConnections: maxConnections,
        gzipMinBytes: gzipMinBytes, serverName: "DenseServe/test", ioQueueCount: 2, lingerTimeout: 1)
}

/// Echo handler: body back, request facts in `X-*` headers. `/big?n=N` answers
/// N bytes; `/slow` answers later from another queue; `/text` a compressible 20 kB text.
let echoHandler: @Sendable (HTTPRequest, HTTPResponder) -> Void = { request, responder in
    var headers = HTTPHeaders()
    headers.add(name: "X-Method", value: request.method)
    headers.add(name: "X-Path", value: request.path)
    headers.add(name: "X-Query", value: request.query ?? "")
    headers.add(name: "X-Body-Count", value: String(request.body.count))
    headers.add(name: "X-Trailers", value: request.trailers.map { "\($0.name)=\($0.value)" }.joined(separator: ","))
    headers.add(name: "X-Loopback", value: String(request.remoteIsLoopback))
    if let id = request.headers["X-Request-Id"] { headers.add(name: "X-Request-Id", value: id) }
    switch request.path {
    case "/big":
        let n = Int(request.query?.split(separator: "=").last ?? "0") ?? 0
        responder.send(HTTPResponse(status: 200, headers: headers, body: [UInt8](repeating: UInt8(ascii: "x"), count: n)))
    case "/slow":
        let headers = headers
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) {
            responder.send(HTTPResponse(status: 200, headers: headers, text: "slow"))
        }
    case "/text":
        let text = String(repeating: "{\"outputs\":[0.125,0.25,0.5]}\n", count: 700)
        responder.send(HTTPResponse(status: 200, headers: headers, text: text))
    case "/close":
        headers.add(name: "Connection", value: "close")
        responder.send(HTTPResponse(status: 200, headers: headers, text: "bye"))
    default:
        responder.send(HTTPResponse(status: 200, headers: headers, body: request.body))
    }
}

/// Starts a server on 127.0.0.1:0, runs `body`, shuts it down.
func withServer(
    _ configuration: HTTPServerConfiguration = testConfiguration(),
    accessLog: (@Sendable (HTTPAccessLogEntry) -> Void)? = nil,
    handler: @escaping @Sendable (HTTPRequest, HTTPResponder) -> Void = echoHandler,
    _ body: (HTTPServer, Int) throws -> Void
) throws {
    let server = HTTPServer(configuration: configuration, accessLog: accessLog, handler: handler)
    let port = try server.start()
    defer { server.shutdown(grace: 2) }
    #expect(port > 0 && port == server.boundPort)
    try body(server, port)
}

/// A counter shared with handlers.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func increment() { value.add(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}
