import CNghttp2
import Glibc
import HTTPCore
import Synchronization

/// The HTTP/2 side of one connection: an nghttp2 server session, driven by the connection's
/// own reads and writes on its I/O queue (no second event loop).
///
/// Bytes read from the socket go to `nghttp2_session_mem_recv`, whose callbacks build one
/// ``HTTP2Stream`` per request stream and hand each complete request to the server's handler
/// as an ordinary `HTTPRequest` (version 2.0, `:authority` as `Host`). Answers come back
/// through ``complete(stream:response:)``; `nghttp2_session_mem_send` turns them into frames
/// that are appended to the connection's output buffer, which the connection writes and
/// flow-controls exactly as for HTTP/1.1.
///
/// Safety of `@unchecked Sendable`: confined to the connection's `loop.queue`, like the
/// connection; nghttp2 calls back only inside `mem_recv` / `mem_send`, on that queue.
final class HTTP2Session: @unchecked Sendable {
    /// What the connection should do after a call into the session.
    enum Outcome { case carryOn, closeAfterWrite }

    static let preface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    /// How `bytes` (the first bytes of a connection) relate to the HTTP/2 preface.
    static func matchPreface(_ bytes: UnsafeRawBufferPointer) -> PrefaceMatch {
        let n = min(bytes.count, preface.count)
        for i in 0..<n where bytes[i] != preface[i] { return .http1 }
        return n == preface.count ? .http2 : .partial
    }

    enum PrefaceMatch { case http1, partial, http2 }

    unowned let connection: HTTPConnection
    private var session: OpaquePointer?
    private var streams: [Int32: HTTP2Stream] = [:]
    /// Streams handed to the handler whose answer has not come back, reset ones included.
    private var unanswered: Set<Int32> = []
    /// Set while nghttp2 is inside `mem_recv`: frames are sent only after it returns.
    private var receiving = false
    var isReceiving: Bool { receiving }
    private var failed = false
    private(set) var goingAway = false
    private var configuration: HTTP2Configuration { connection.core.configuration.http2 }
    private var limits: HTTPLimits { connection.core.configuration.limits }
    /// Request body bytes this session's unfinished streams hold (its share of the budget).
    private var heldBodyBytes = 0
    /// Response body bytes submitted and not yet copied into frames (its share of
    /// `maxBufferedResponseBytes`, as an HTTP/1.1 connection's unsent output is).
    private var heldResponseBytes = 0
    /// The DATA frame `readBody` announced with `NGHTTP2_DATA_FLAG_NO_COPY` and
    /// `sendData` has not written yet: its stream and bytes (the answer's array, shared, not
    /// copied). nghttp2 reads the next frame only once this one is written or dropped (it
    /// drops it when the stream closes first), so `readBody` replaces whatever is here.
    private var pendingFrame: (stream: Int32, body: [UInt8], start: Int, count: Int)?
    /// Set while `pumpAll` writes past `maxPendingOutputBytes`.
    private var ignoresOutputLimit = false

    init?(connection: HTTPConnection) {
        self.connection = connection
        var callbacks: OpaquePointer?
        guard nghttp2_session_callbacks_new(&callbacks) == 0, let callbacks else { return nil }
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, onBeginHeaders)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeader)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, onDataChunk)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrameReceived)
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, onFrameSent)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamClose)
        nghttp2_session_callbacks_set_send_data_callback(callbacks, sendDataCallback)
        var option: OpaquePointer?
        guard nghttp2_option_new(&option) == 0, let option else { return nil }
        defer { nghttp2_option_del(option) }
        // The library's own flood guards (rapid reset, CONTINUATION, SETTINGS, PING and other
        // frames that make us answer) stay at their defaults; these bound what a stream holds.
        nghttp2_option_set_max_settings(option, 32)
        nghttp2_option_set_max_outbound_ack(option, 1000)
        var created: OpaquePointer?
        let me = Unmanaged.passUnretained(self).toOpaque()
        guard nghttp2_session_server_new2(&created, callbacks, me, option) == 0, let created else { return nil }
        session = created
        let c = configuration
        var settings = [
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue),
                value: UInt32(clamping: max(1, c.maxConcurrentStreams))),
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue),
                value: UInt32(clamping: min(max(c.streamWindowBytes, 65535), Int(Int32.max)))),
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue),
                value: UInt32(clamping: max(limits.maxHeaderBytes, 1))),
        ]
        _ = nghttp2_submit_settings(created, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count)
        _ = nghttp2_session_set_local_window_size(
            created, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, Int32(clamping: max(c.connectionWindowBytes, 65535)))
    }

    deinit { close() }

    /// Frees the nghttp2 session and everything the streams hold. Idempotent.
    func close() {
        if let session { nghttp2_session_del(session) }
        session = nil
        for stream in streams.values {
            stream.cancellation.cancel()
            stream.reservation?.release()
        }
        streams.removeAll()
        unanswered.removeAll()
        releaseHeldBodies()
        if heldResponseBytes > 0 { connection.releaseResponseBytes(heldResponseBytes) }
        heldResponseBytes = 0
    }

    // MARK: State the connection reads

    /// Streams answered by the handler yet.
    var unansweredCount: Int { unanswered.count }

    /// Whether a stream is partway through its request (headers or body still coming).
    var hasPartialRequest: Bool { streams.values.contains { !$0.receivedEnd && $0.response == nil } }

    /// Whether the connection may read more: below the dispatched-stream cap and not closing.
    var wantsInput: Bool {
        guard let session, !failed else { return false }
        return unanswered.count < max(configuration.maxDispatchedStreams, 1) && nghttp2_session_want_read(session) != 0
    }

    /// nghttp2 has nothing more to read or write: the connection can close once written.
    var isFinished: Bool {
        guard let session, !failed else { return true }
        return nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0
    }

    // MARK: Input

    /// Feeds bytes read from the socket; then sends what the session queued.
    func receive(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        guard let session, !failed else { return .closeAfterWrite }
        guard bytes.count > 0 else { return .carryOn }
        receiving = true
        let consumed = nghttp2_session_mem_recv(session, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count)
        receiving = false
        if consumed < 0 {
            // A protocol error or a flood. nghttp2 queued GOAWAY itself for a connection
            // error it found in a frame; for a flood (FLOODED: too many ACKs queued,
            // TOO_MANY_CONTINUATIONS) it did not, and the code says why: ENHANCE_YOUR_CALM.
            failed = true
            let flood = consumed == Int(NGHTTP2_ERR_FLOODED.rawValue) || consumed == Int(NGHTTP2_ERR_TOO_MANY_CONTINUATIONS.rawValue)
            _ = nghttp2_session_terminate_session(session, (flood ? NGHTTP2_ENHANCE_YOUR_CALM : NGHTTP2_PROTOCOL_ERROR).rawValue)
            pumpAll()
            return .closeAfterWrite
        }
        return .carryOn
    }

    // MARK: Output

    /// Moves queued frames into the connection's output buffer while it holds less than
    /// `maxPendingOutputBytes`; the rest waits until the client reads (the connection calls
    /// again when the socket is writable).
    @discardableResult
    func flush() -> Outcome {
        guard !receiving, let session else { return .carryOn }
        let limit = max(limits.maxPendingOutputBytes, 1)
        while connection.pendingOutput < limit {
            var data: UnsafePointer<UInt8>?
            let n = nghttp2_session_mem_send(session, &data)
            if n < 0 {
                failed = true
                return .closeAfterWrite
            }
            guard n > 0, let data else { break }
            connection.appendOutput(UnsafeRawBufferPointer(start: data, count: n))
        }
        return isFinished ? .closeAfterWrite : .carryOn
    }

    /// After a fatal error: whatever frames nghttp2 still has (the GOAWAY), ignoring the limit.
    private func pumpAll() {
        guard let session else { return }
        ignoresOutputLimit = true
        defer { ignoresOutputLimit = false }
        for _ in 0..<64 {
            var data: UnsafePointer<UInt8>?
            let n = nghttp2_session_mem_send(session, &data)
            guard n > 0, let data else { return }
            connection.appendOutput(UnsafeRawBufferPointer(start: data, count: n))
        }
    }

    /// The first GOAWAY of a graceful shutdown (last stream id 2³¹−1): the client stops
    /// opening streams here, and streams already on their way are still taken.
    func announceShutdown() {
        guard let session, !goingAway else { return }
        _ = nghttp2_submit_shutdown_notice(session)
    }

    /// GOAWAY `NO_ERROR` naming the last stream received: streams in flight finish, the
    /// client opens new ones elsewhere. Idempotent.
    func goAway(message: String) {
        guard let session, !goingAway else { return }
        goingAway = true
        let last = nghttp2_session_get_last_proc_stream_id(session)
        var text = Array(message.utf8)
        _ = nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), last, NGHTTP2_NO_ERROR.rawValue, &text, text.count)
    }

    // MARK: Streams

    fileprivate func beginStream(_ id: Int32) {
        guard session != nil else { return }
        let stream = HTTP2Stream(id: id, started: connection.loop.now())
        streams[id] = stream
    }

    fileprivate func header(stream id: Int32, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, trailer: Bool) -> Int32 {
        guard let stream = streams[id], stream.fault == nil else { return 0 }
        // RFC 9113 §6.5.2's header list size: name + value + 32 per field.
        stream.headerBytes += name.count + value.count + 32
        stream.headerCount += 1
        if stream.headerBytes > limits.maxHeaderBytes {
            stream.fault = .parse(.headersTooLarge)
        } else if stream.headerCount > limits.maxHeaderCount + 5 {  // + the five pseudo-headers
            stream.fault = .parse(.tooManyHeaders)
        }
        if stream.fault != nil {
            stream.headers = HTTPHeaders()
            return 0
        }
        let nameText = String(decoding: name, as: UTF8.self)
        let valueText = String(decoding: value, as: UTF8.self)
        if trailer {
            stream.trailers.add(name: nameText, value: valueText)
            return 0
        }
        if name.first == UInt8(ascii: ":") {
            switch nameText {
            case ":method": stream.method = valueText
            case ":path": stream.path = valueText
            case ":authority": stream.authority = valueText
            default: break  // :scheme (nghttp2 checked it); :protocol is not enabled
            }
        } else {
            stream.headers.add(name: nameText, value: valueText)
        }
        return 0
    }

    fileprivate func data(stream id: Int32, _ bytes: UnsafeRawBufferPointer) {
        guard let stream = streams[id], stream.fault == nil, stream.response == nil else { return }
        let (total, overflow) = stream.body.count.addingReportingOverflow(bytes.count)
        if overflow || total > limits.maxBodyBytes {
            fail(stream, .parse(.bodyTooLarge))
            return
        }
        guard connection.reserveRequestBytes(bytes.count) else {
            fail(stream, .requestBytesBudgetExhausted)
            return
        }
        heldBodyBytes += bytes.count
        stream.heldBytes += bytes.count
        stream.body.append(contentsOf: bytes)
    }

    fileprivate func frameReceived(stream id: Int32, endStream: Bool, endHeaders: Bool) {
        guard let stream = streams[id] else { return }
        if let fault = stream.fault, stream.response == nil, endHeaders || endStream {
            fail(stream, fault)
            return
        }
        guard endStream, !stream.receivedEnd else { return }
        stream.receivedEnd = true
        guard stream.response == nil else { return }
        dispatch(stream)
    }

    fileprivate func frameSent(stream id: Int32, endStream: Bool) {
        // An answer sent before the request ended (413, 431, a gRPC error): the rest of the
        // request is not wanted (RFC 9113 §8.1).
        guard endStream, let session, let stream = streams[id], !stream.receivedEnd else { return }
        _ = nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), id, NGHTTP2_NO_ERROR.rawValue)
    }

    fileprivate func streamClosed(_ id: Int32) {
        guard let stream = streams.removeValue(forKey: id) else { return }
        // A reset stream's work is skipped if it has not started; its answer, if it comes, is
        // dropped (the id stays in `unanswered` until then).
        stream.cancellation.cancel()
        stream.reservation?.release()
        releaseHeld(of: stream)
        releaseResponse(of: stream, stream.heldResponseBytes)
    }

    private func releaseResponse(of stream: HTTP2Stream, _ bytes: Int) {
        guard bytes > 0 else { return }
        connection.releaseResponseBytes(bytes)
        heldResponseBytes -= bytes
        stream.heldResponseBytes -= bytes
    }

    private func releaseHeld(of stream: HTTP2Stream) {
        guard stream.heldBytes > 0 else { return }
        connection.releaseRequestBytes(stream.heldBytes)
        heldBodyBytes -= stream.heldBytes
        stream.heldBytes = 0
    }

    private func releaseHeldBodies() {
        if heldBodyBytes > 0 { connection.releaseRequestBytes(heldBodyBytes) }
        heldBodyBytes = 0
    }

    /// Answers `stream` with the server's own error; the rest of its request is discarded.
    private func fail(_ stream: HTTP2Stream, _ error: HTTPServerError) {
        stream.body = []
        releaseHeld(of: stream)
        stream.fault = error
        submit(stream, connection.core.response(for: error), isHead: false)
    }

    private func dispatch(_ stream: HTTP2Stream) {
        // Reading stops at the cap between reads, but one read can carry many streams (a burst
        // of HEADERS and resets): past the cap a stream is refused, never handed on.
        guard unanswered.count < max(configuration.maxDispatchedStreams, 1) else {
            if let session {
                _ = nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), stream.id, NGHTTP2_REFUSED_STREAM.rawValue)
            }
            stream.body = []
            releaseHeld(of: stream)
            return
        }
        var headers = stream.headers
        if let authority = stream.authority, !headers.contains("host") { headers.add(name: "host", value: authority) }
        let head = HTTPRequestHead(
            method: stream.method, target: stream.path, version: .http2, headers: headers, keepAlive: true,
            framing: .contentLength(stream.body.count))
        let request = HTTPRequest(head: head, body: stream.body, trailers: stream.trailers, remoteIsLoopback: connection.remoteIsLoopback)
        stream.body = []
        // The body is the handler's now: a large one stays counted (below), a small one is
        // returned to the budget, as for HTTP/1.1.
        releaseHeld(of: stream)
        stream.isHead = request.method == "HEAD"
        stream.bytesIn = stream.headerBytes + request.body.count
        if connection.core.accessLog != nil {
            stream.logMethod = request.method
            stream.logPath = request.path
            stream.requestID = headers["x-request-id"]
        }
        unanswered.insert(stream.id)
        let responder = HTTPResponder(
            connection: connection, sequence: Int(stream.id),
            acceptsGzip: connection.core.gzipEnabled && ServerCore.acceptsGzip(request.headers), stream: stream.cancellation)
        if let error = connection.handOff(request, responder, holding: { stream.reservation = $0 }) {
            complete(stream: stream.id, response: connection.core.response(for: error))
        }
    }

    /// The handler's answer to stream `id` (on the loop's queue). Dropped when the stream was
    /// reset or closed meanwhile.
    func complete(stream id: Int32, response: HTTPResponse) {
        guard unanswered.remove(id) != nil else { return }
        guard let stream = streams[id], stream.response == nil else { return }
        stream.reservation?.release()
        stream.reservation = nil
        var response = response
        if !stream.isHead && !connection.admitsOutput(response.body.count) {
            response = connection.core.response(for: .responseBytesBudgetExhausted)
        }
        submit(stream, response, isHead: stream.isHead)
    }

    private static let hopByHop: Set<String> = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]

    /// Submits `response` on `stream`: HEADERS (with END_STREAM when there is neither body
    /// nor trailers: gRPC's Trailers-Only), DATA from a provider, then the trailers.
    private func submit(_ stream: HTTP2Stream, _ response: HTTPResponse, isHead: Bool) {
        guard let session else { return }
        var fields: [(String, String)] = [(":status", String(min(max(response.status, 100), 999)))]
        var hasDate = false
        var hasServer = false
        var responseRequestID: String?
        for field in response.headers {
            let name = field.name.lowercased()
            if Self.hopByHop.contains(name) || name == "content-length" { continue }
            guard HTTPResponseSerializer.isValidFieldName(field.name), HTTPResponseSerializer.isValidFieldValue(field.value) else {
                continue
            }
            if name == "date" { hasDate = true }
            if name == "server" { hasServer = true }
            if name == "x-request-id" { responseRequestID = field.value }
            fields.append((name, field.value))
        }
        let bodyAllowed = !HTTPStatus.forbidsBody(response.status)
        let isGRPC = response.headers["content-type"].map { $0.hasPrefix("application/grpc") } ?? false
        if !HTTPStatus.forbidsContentLength(response.status) && !isGRPC {
            fields.append(("content-length", String(response.body.count)))
        }
        if !hasDate { fields.append(("date", String(decoding: connection.loop.dateCache.current(), as: UTF8.self))) }
        if !hasServer { fields.append(("server", connection.core.serverName)) }
        stream.response = response
        if isHead || !bodyAllowed { stream.response?.body = [] }
        stream.trailerFields = response.trailers.compactMap { field in
            let name = field.name.lowercased()
            guard HTTPResponseSerializer.isValidFieldName(field.name), HTTPResponseSerializer.isValidFieldValue(field.value)
            else { return nil }
            return (name, field.value)
        }
        let hasContent = !(stream.response?.body.isEmpty ?? true) || !stream.trailerFields.isEmpty
        if let held = stream.response?.body.count, held > 0 {
            connection.holdResponseBytes(held)
            heldResponseBytes += held
            stream.heldResponseBytes += held
        }
        let rc = Self.withNameValues(fields) { nva, count in
            if hasContent {
                var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: readBodyCallback)
                return nghttp2_submit_response(session, stream.id, nva, count, &provider)
            }
            return nghttp2_submit_response(session, stream.id, nva, count, nil)
        }
        if rc != 0 {
            _ = nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), stream.id, NGHTTP2_INTERNAL_ERROR.rawValue)
        }
        if let log = connection.core.accessLog {
            let duration = Double(connection.loop.now() &- stream.started) / 1e9
            log(
                HTTPAccessLogEntry(
                    method: stream.logMethod, path: stream.logPath, status: response.status, bytesIn: stream.bytesIn,
                    bytesOut: response.body.count + fields.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count },
                    durationSeconds: duration, requestID: stream.requestID, responseRequestID: responseRequestID,
                    remoteIsLoopback: connection.remoteIsLoopback, grpcStatus: Self.grpcStatus(stream.trailerFields, fields)))
        }
    }

    /// The `grpc-status` among the trailers, else among the headers (Trailers-Only), if it is
    /// one to three decimal digits.
    static func grpcStatus(_ trailers: [(String, String)], _ headers: [(String, String)]) -> Int? {
        guard let value = (trailers.first { $0.0 == "grpc-status" } ?? headers.first { $0.0 == "grpc-status" })?.1,
            (1...3).contains(value.utf8.count), value.utf8.allSatisfy({ (0x30...0x39).contains($0) })
        else { return nil }
        return Int(value)
    }

    /// Announces the next piece of `stream`'s body as a DATA frame that `sendData` writes
    /// straight from the answer into the output buffer (`NGHTTP2_DATA_FLAG_NO_COPY`: one
    /// copy of a large answer fewer than through nghttp2's frame buffer); at the end, the
    /// trailers (END_STREAM goes on them instead of on the last DATA frame).
    fileprivate func readBody(stream id: Int32, length: Int, flags: UnsafeMutablePointer<UInt32>) -> Int {
        pendingFrame = nil
        guard let stream = streams[id], let response = stream.response else {
            return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        }
        let remaining = response.body.count - stream.sentBytes
        let n = min(remaining, length)
        if n > 0 {
            flags.pointee |= NGHTTP2_DATA_FLAG_NO_COPY.rawValue
            pendingFrame = (id, response.body, stream.sentBytes, n)
            stream.sentBytes += n
        }
        if stream.sentBytes == response.body.count {
            flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            if !stream.trailerFields.isEmpty, let session {
                flags.pointee |= NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
                let rc = Self.withNameValues(stream.trailerFields) { nva, count in
                    nghttp2_submit_trailer(session, id, nva, count)
                }
                if rc != 0 { return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }
            }
            // The last frame's bytes live on in `pendingFrame`; the stream holds none.
            stream.response?.body = []
        }
        return n
    }

    /// Writes the DATA frame `readBody` announced: nghttp2's 9-byte header, then the bytes
    /// (no padding: no padding callback is set). While the output buffer is full it answers
    /// WOULDBLOCK and nghttp2 asks again on the next flush. The frame is written even if its
    /// stream was reset meanwhile (nghttp2 has committed to it; the client ignores it).
    fileprivate func sendData(stream id: Int32, header: UnsafePointer<UInt8>, length: Int, padding: Int) -> Int32 {
        guard let frame = pendingFrame, frame.stream == id, frame.count == length, padding == 0 else {
            return NGHTTP2_ERR_CALLBACK_FAILURE.rawValue
        }
        if !ignoresOutputLimit && connection.pendingOutput >= max(limits.maxPendingOutputBytes, 1) {
            return NGHTTP2_ERR_WOULDBLOCK.rawValue
        }
        pendingFrame = nil
        connection.appendOutput(UnsafeRawBufferPointer(start: header, count: 9))
        frame.body.withUnsafeBytes { body in
            connection.appendOutput(UnsafeRawBufferPointer(rebasing: body[frame.start..<(frame.start + frame.count)]))
        }
        // A closed stream's held bytes were released when it closed.
        if let stream = streams[id] { releaseResponse(of: stream, length) }
        return 0
    }

    /// Calls `body` with an `nghttp2_nv` array for `fields` (nghttp2 copies them).
    private static func withNameValues(_ fields: [(String, String)], _ body: (UnsafeMutablePointer<nghttp2_nv>, Int) -> Int32) -> Int32 {
        var storage: [UInt8] = []
        var offsets: [(Int, Int, Int, Int)] = []
        offsets.reserveCapacity(fields.count)
        for (name, value) in fields {
            let n = storage.count
            storage.append(contentsOf: name.utf8)
            let v = storage.count
            storage.append(contentsOf: value.utf8)
            offsets.append((n, v - n, v, storage.count - v))
        }
        storage.append(0)
        return storage.withUnsafeMutableBufferPointer { bytes in
            var nva = offsets.map { (n, nl, v, vl) in
                nghttp2_nv(
                    name: bytes.baseAddress! + n, value: bytes.baseAddress! + v, namelen: nl, valuelen: vl,
                    flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
            }
            return nva.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        }
    }
}

/// One request stream of an HTTP/2 connection, from its HEADERS to its close.
final class HTTP2Stream {
    let id: Int32
    let started: UInt64
    var method = ""
    var path = ""
    var authority: String?
    var headers = HTTPHeaders()
    var trailers = HTTPHeaders()
    var headerBytes = 0
    var headerCount = 0
    var body: [UInt8] = []
    /// Body bytes counted against `maxBufferedRequestBytes` while the request arrives.
    var heldBytes = 0
    /// A limit the request broke: answered as soon as its headers (or the offending data) end.
    var fault: HTTPServerError?
    var receivedEnd = false
    var isHead = false
    var bytesIn = 0
    var logMethod = ""
    var logPath = ""
    var requestID: String?
    /// The answer being sent (its body is dropped once nghttp2 took it).
    var response: HTTPResponse?
    var sentBytes = 0
    /// Bytes of `response.body` counted in the server's unsent response bytes.
    var heldResponseBytes = 0
    var trailerFields: [(String, String)] = []
    var reservation: BodyReservation?
    let cancellation = HTTP2StreamCancellation()

    init(id: Int32, started: UInt64) {
        self.id = id
        self.started = started
    }
}

/// Set when a stream is reset or closed before its answer: read from any thread
/// (`HTTPResponder.isAbandoned`), so work not started for it is skipped.
final class HTTP2StreamCancellation: Sendable {
    private let flag = Atomic<Bool>(false)
    var isCancelled: Bool { flag.load(ordering: .relaxed) }
    func cancel() { flag.store(true, ordering: .relaxed) }
}

// MARK: nghttp2 callbacks (C function pointers: no captures; the session is `user_data`)

private func session(_ userData: UnsafeMutableRawPointer?) -> HTTP2Session {
    Unmanaged<HTTP2Session>.fromOpaque(userData!).takeUnretainedValue()
}

private let onBeginHeaders: nghttp2_on_begin_headers_callback = { _, frame, userData in
    guard let frame, frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue),
        frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST
    else { return 0 }
    session(userData).beginStream(frame.pointee.hd.stream_id)
    return 0
}

private let onHeader: nghttp2_on_header_callback = { _, frame, name, nameLength, value, valueLength, _, userData in
    guard let frame, frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue) else { return 0 }
    let trailer = frame.pointee.headers.cat == NGHTTP2_HCAT_HEADERS
    return session(userData).header(
        stream: frame.pointee.hd.stream_id, name: UnsafeRawBufferPointer(start: name, count: nameLength),
        value: UnsafeRawBufferPointer(start: value, count: valueLength), trailer: trailer)
}

private let onDataChunk: nghttp2_on_data_chunk_recv_callback = { _, _, streamID, data, length, userData in
    session(userData).data(stream: streamID, UnsafeRawBufferPointer(start: data, count: length))
    return 0
}

private let onFrameReceived: nghttp2_on_frame_recv_callback = { _, frame, userData in
    guard let frame else { return 0 }
    let type = frame.pointee.hd.type
    guard type == UInt8(NGHTTP2_HEADERS.rawValue) || type == UInt8(NGHTTP2_DATA.rawValue) else { return 0 }
    let flags = frame.pointee.hd.flags
    session(userData).frameReceived(
        stream: frame.pointee.hd.stream_id, endStream: flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0,
        endHeaders: type == UInt8(NGHTTP2_HEADERS.rawValue) && flags & UInt8(NGHTTP2_FLAG_END_HEADERS.rawValue) != 0)
    return 0
}

private let onFrameSent: nghttp2_on_frame_send_callback = { _, frame, userData in
    guard let frame else { return 0 }
    let type = frame.pointee.hd.type
    guard type == UInt8(NGHTTP2_HEADERS.rawValue) || type == UInt8(NGHTTP2_DATA.rawValue) else { return 0 }
    session(userData).frameSent(
        stream: frame.pointee.hd.stream_id, endStream: frame.pointee.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0)
    return 0
}

private let onStreamClose: nghttp2_on_stream_close_callback = { _, streamID, _, userData in
    session(userData).streamClosed(streamID)
    return 0
}

private let readBodyCallback: nghttp2_data_source_read_callback = { _, streamID, _, length, flags, _, userData in
    guard let flags else { return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }
    return session(userData).readBody(stream: streamID, length: length, flags: flags)
}

private let sendDataCallback: nghttp2_send_data_callback = { _, frame, header, length, _, userData in
    guard let frame, let header else { return NGHTTP2_ERR_CALLBACK_FAILURE.rawValue }
    return session(userData).sendData(
        stream: frame.pointee.hd.stream_id, header: header, length: length, padding: frame.pointee.data.padlen)
}
