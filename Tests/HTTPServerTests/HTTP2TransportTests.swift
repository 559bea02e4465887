import Dispatch
import Foundation
import Synchronization
import Testing

@testable import HTTPServer

/// HTTP/2 (h2c prior knowledge) through the in-process server, frame by frame
/// (``HTTP2TestClient``): requests become ordinary `HTTPRequest`s, answers come back as
/// HEADERS / DATA / trailing HEADERS, the HTTP/1.1 limits and timeouts apply per stream.
@Suite struct HTTP2TransportTests {
    @Test func getAndPostWithTheEchoHandler() throws {
        try withServer { _, port in
            let c = try HTTP2TestClient(port: port)
            let get = c.request("GET", "/hello?x=1", headers: [("x-request-id", "abc")])
            let r = try #require(c.response(get))
            #expect(r.status == 200 && r.header("x-method") == "GET" && r.header("x-path") == "/hello" && r.header("x-query") == "x=1")
            #expect(r.header("x-request-id") == "abc" && r.header("x-loopback") == "true")
            #expect(r.header("content-length") == "0" && r.header("server") == "DenseServe/test" && r.header("date") != nil)
            #expect(r.header("connection") == nil && r.body.isEmpty)
            let body = Array("hello over h2".utf8)
            let post = c.request("POST", "/echo", headers: [("content-type", "text/plain")], body: body)
            let p = try #require(c.response(post))
            #expect(p.status == 200 && p.body == body && p.header("x-method") == "POST")
            #expect(p.header("x-body-count") == String(body.count) && p.header("content-length") == String(body.count))
            // The body in two DATA frames.
            let split = c.request("POST", "/echo", body: Array(body[0..<5]), endStream: false)
            c.send(HTTP2Frame(type: 0, flags: HTTP2Frame.endStream, stream: split, payload: Array(body[5...])))
            #expect(c.response(split)?.body == body)
            #expect(c.goAway == nil)
        }
    }

    @Test func concurrentStreamsOnOneConnectionAreAnsweredOutOfOrder() throws {
        try withServer { _, port in
            let c = try HTTP2TestClient(port: port)
            let slow = c.request("GET", "/slow")
            let fast = c.request("GET", "/fast")
            let big = c.request("GET", "/big?n=200000")
            #expect(c.read { [slow, fast, big].allSatisfy { c.streams[$0]?.isComplete == true } }, "\(c.completionOrder)")
            let order = c.completionOrder
            #expect((order.firstIndex(of: fast) ?? .max) < (order.firstIndex(of: slow) ?? .max), "completed in order \(order)")
            #expect(c.streams[slow]?.text == "slow" && c.streams[fast]?.header("x-path") == "/fast")
            #expect(c.streams[big]?.body.count == 200_000 && c.streams[big]?.body.allSatisfy { $0 == UInt8(ascii: "x") } == true)
        }
    }

    /// A handler's `trailers` after the body: HEADERS (no END_STREAM), DATA, then HEADERS with
    /// END_STREAM holding the trailers; with an empty body too.
    @Test(arguments: [[UInt8]([0, 0, 0, 0, 2, 8, 42]), []])
    func trailersArriveAsATrailingHeadersFrameWithEndStream(body: [UInt8]) throws {
        let handler: @Sendable (HTTPRequest, HTTPResponder) -> Void = { _, responder in
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/grpc")
            var trailers = HTTPHeaders()
            trailers.add(name: "grpc-status", value: "0")
            trailers.add(name: "X-Checksum", value: "abc")
            responder.send(HTTPResponse(status: 200, headers: headers, body: body, trailers: trailers))
        }
        try withServer(handler: handler) { _, port in
            let c = try HTTP2TestClient(port: port)
            let id = c.request("POST", "/rpc", headers: [("content-type", "application/grpc"), ("te", "trailers")], body: [0, 0, 0, 0, 0])
            let r = try #require(c.response(id))
            #expect(r.status == 200 && r.body == body && r.reset == nil)
            let heads = r.frames.filter { $0.kind == .headers }
            try #require(heads.count == 2, "HEADERS frames: \(heads.map(\.flags))")
            #expect(heads[0].flags & HTTP2Frame.endStream == 0, "END_STREAM on the response HEADERS")
            #expect(heads[1].flags & HTTP2Frame.endStream != 0 && heads[1].flags & HTTP2Frame.endHeaders != 0)
            #expect(r.frames.last?.kind == .headers, "last frame: \(String(describing: r.frames.last?.kind))")
            #expect(!r.frames.contains { $0.kind == .data && $0.flags & HTTP2Frame.endStream != 0 }, "END_STREAM on DATA")
            let trailers = r.trailers ?? []
            #expect(trailers.contains { $0 == ("grpc-status", "0") } && trailers.contains { $0 == ("x-checksum", "abc") }, "\(trailers)")
            #expect(r.header("content-length") == nil, "gRPC answers carry no Content-Length")
        }
    }

    @Test func anEmptyAnswerWithoutTrailersIsOneHeadersFrameWithEndStream() throws {
        try withServer { _, port in
            let c = try HTTP2TestClient(port: port)
            let empty = c.request("GET", "/empty")
            let r = try #require(c.response(empty))
            #expect(r.status == 200 && r.header("content-length") == "0")
            // Another answer on the connection after it: nothing more came for the first stream.
            let next = c.request("GET", "/next")
            #expect(c.response(next)?.status == 200)
            let frames = try #require(c.streams[empty]?.frames)
            #expect(frames.count == 1, "frames: \(frames.map { ($0.type, $0.flags) })")
            #expect(frames.first?.kind == .headers && frames.first.map { $0.flags & 0x5 == 0x5 } == true, "END_STREAM | END_HEADERS")
        }
    }

    @Test func headerListAndBodyLimitsAnswer431And413WithTheirCodes() throws {
        let limits = HTTPLimits.default.with {
            $0.maxHeaderBytes = 4096
            $0.maxHeaderCount = 20
            $0.maxBodyBytes = 1000
        }
        try withServer(testConfiguration(limits: limits)) { _, port in
            let c = try HTTP2TestClient(port: port)
            let large = c.request("GET", "/h", headers: [("x-big", String(repeating: "a", count: 5000))])
            let r1 = try #require(c.response(large))
            #expect(r1.status == 431 && r1.errorCode == "headers_too_large", "\(r1.status ?? 0) \(r1.text)")
            #expect(r1.header("content-type") == "application/json")
            let many = c.request("GET", "/h", headers: (0..<30).map { ("x-h\($0)", "1") })
            let r2 = try #require(c.response(many))
            #expect(r2.status == 431 && r2.errorCode == "too_many_headers", "\(r2.status ?? 0) \(r2.text)")
            let body = c.request("POST", "/b", body: [UInt8](repeating: 7, count: 1001))
            let r3 = try #require(c.response(body))
            #expect(r3.status == 413 && r3.errorCode == "body_too_large", "\(r3.status ?? 0) \(r3.text)")
            // Still sending: answered at once, the rest of the request refused (RST_STREAM NO_ERROR).
            let open = c.request("POST", "/b", body: [UInt8](repeating: 7, count: 1001), endStream: false)
            let r4 = try #require(c.response(open))
            #expect(r4.status == 413 && r4.errorCode == "body_too_large")
            #expect(c.read { c.streams[open]?.reset != nil } && c.streams[open]?.reset == 0)
            // Within the limits the same connection serves on.
            let fine = c.request("POST", "/b", headers: (0..<10).map { ("x-h\($0)", "1") }, body: [UInt8](repeating: 7, count: 1000))
            let r5 = try #require(c.response(fine))
            #expect(r5.status == 200 && r5.body.count == 1000 && c.goAway == nil)
        }
    }

    @Test func aResetStreamWhoseAnswerComesLaterDoesNotBreakTheConnection() throws {
        let answered = Counter()
        let handler: @Sendable (HTTPRequest, HTTPResponder) -> Void = { request, responder in
            guard request.path == "/later" else { return echoHandler(request, responder) }
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(100)) {
                #expect(responder.isAbandoned, "the reset stream's responder does not say it was abandoned")
                responder.send(HTTPResponse(status: 200, text: "late"))
                answered.increment()
            }
        }
        try withServer(handler: handler) { _, port in
            let c = try HTTP2TestClient(port: port)
            let later = c.request("GET", "/later")
            c.resetStream(later)
            let during = c.request("GET", "/during")
            #expect(c.response(during)?.status == 200)
            #expect(eventually { answered.count == 1 })
            let after = c.request("GET", "/after")
            #expect(c.response(after)?.header("x-path") == "/after")
            #expect(c.streams[later]?.headers.isEmpty ?? true, "an answer came for the reset stream")
            #expect(c.goAway == nil)
        }
    }

    @Test func idleTimeoutSendsGoAwayThenCloses() throws {
        try withServer(testConfiguration(idle: 0.5)) { _, port in
            let c = try HTTP2TestClient(port: port)
            let id = c.request("GET", "/x")
            #expect(c.response(id)?.status == 200)
            #expect(c.read { c.goAway != nil }, "no GOAWAY")
            #expect(
                c.goAway?.code == 0 && c.goAway?.lastStream == id && c.goAway?.debug == "idle timeout", "\(String(describing: c.goAway))")
            #expect(c.readUntilClosed(), "not closed after GOAWAY")
        }
    }

    @Test func shutdownSendsGoAwayToAnOpenIdleConnectionAndClosesIt() throws {
        let server = HTTPServer(configuration: testConfiguration(), handler: echoHandler)
        let port = try server.start()
        let c = try HTTP2TestClient(port: port)
        let id = c.request("GET", "/x")
        #expect(c.response(id)?.status == 200)
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            server.shutdown(grace: 5)
            finished.signal()
        }
        // First the shutdown notice (last stream 2^31-1: open no new stream), then the final
        // GOAWAY naming the last stream received.
        #expect(c.read { c.goAway != nil }, "no GOAWAY")
        #expect(c.goAway?.code == 0 && c.goAway?.lastStream == Int32.max, "notice: \(String(describing: c.goAway))")
        #expect(c.read { c.goAway?.lastStream == id }, "no final GOAWAY: \(String(describing: c.goAway))")
        #expect(c.goAway?.code == 0, "\(String(describing: c.goAway))")
        #expect(c.readUntilClosed(), "not closed after GOAWAY")
        #expect(finished.wait(timeout: .now() + 10) == .success)
        #expect(server.openConnectionCount == 0)
    }

    @Test func accessLogSeesHTTP2Requests() throws {
        let entries = Mutex<[HTTPAccessLogEntry]>([])
        let limits = HTTPLimits.default.with { $0.maxBodyBytes = 100 }
        try withServer(testConfiguration(limits: limits), accessLog: { e in entries.withLock { $0.append(e) } }) { _, port in
            let c = try HTTP2TestClient(port: port)
            let get = c.request("GET", "/logged?q=1", headers: [("x-request-id", "h2-log")])
            #expect(c.response(get)?.status == 200)
            let post = c.request("POST", "/echo", body: Array("xyz".utf8))
            #expect(c.response(post)?.status == 200)
            let tooLarge = c.request("POST", "/echo", body: [UInt8](repeating: 1, count: 101))
            #expect(c.response(tooLarge)?.status == 413)
            #expect(eventually { entries.withLock { $0.count } == 3 })
            let e = entries.withLock { $0 }
            try #require(e.count == 3)
            #expect(e[0].method == "GET" && e[0].path == "/logged" && e[0].status == 200 && e[0].requestID == "h2-log")
            #expect(e[1].method == "POST" && e[1].path == "/echo" && e[1].status == 200 && e[1].bytesIn >= 3 && e[1].bytesOut > 3)
            #expect(e[2].status == 413)
        }
    }
}
