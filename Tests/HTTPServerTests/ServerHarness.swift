import Dispatch
import Foundation
import Glibc
import Synchronization
import Testing

@testable import HTTPServer

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
