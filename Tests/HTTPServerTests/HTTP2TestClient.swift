import CNghttp2
import Glibc
import TestSupport

/// One HTTP/2 frame as read from or written to the wire (RFC 9113 §4.1).
struct HTTP2Frame {
    enum Kind: UInt8 {
        case data = 0, headers = 1, priority = 2, rstStream = 3, settings = 4, pushPromise = 5, ping = 6, goAway = 7
        case windowUpdate = 8, continuation = 9
    }

    static let endStream: UInt8 = 0x1
    static let ack: UInt8 = 0x1
    static let endHeaders: UInt8 = 0x4

    var type: UInt8
    var flags: UInt8
    var stream: Int32
    var payload: [UInt8]

    var kind: Kind? { Kind(rawValue: type) }
    var endsStream: Bool { flags & Self.endStream != 0 && (kind == .data || kind == .headers) }

    /// The frame's bytes: 9-byte header, then the payload.
    var bytes: [UInt8] {
        let n = payload.count
        return [UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF), type, flags] + Self.uint32(UInt32(stream)) + payload
    }

    static func uint32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    static func readUInt32(_ bytes: [UInt8], at i: Int) -> UInt32 {
        UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
    }
}

/// What one stream received: its HEADERS frames (and flags), DATA and how it ended.
struct HTTP2TestResponse {
    var headers: [(String, String)] = []
    var trailers: [(String, String)]?
    var body: [UInt8] = []
    var ended = false
    /// RST_STREAM's error code, if the server reset the stream.
    var reset: UInt32?
    /// Every frame of this stream, in order (HEADERS, CONTINUATION, DATA, RST_STREAM).
    var frames: [HTTP2Frame] = []

    var status: Int? { header(":status").flatMap { Int($0) } }
    var text: String { String(decoding: body, as: UTF8.self) }
    var isComplete: Bool { ended || reset != nil }

    func header(_ name: String) -> String? { headers.first { $0.0 == name.lowercased() }?.1 }

    /// The `code` of the server's JSON error body.
    var errorCode: String? { TestResponse(status: status ?? 0, headers: [], body: body).errorCode }
}

/// A small HTTP/2 client for tests over ``RawClient``: it writes frames as told (HPACK through
/// libnghttp2's deflater) and reads frames with the same bounded reads, answering SETTINGS and
/// PING and refilling windows as a real client would. Not a conforming client on purpose: a
/// test may send what a real one never would.
final class HTTP2TestClient {
    let raw: RawClient
    private var deflater: OpaquePointer?
    private var inflater: OpaquePointer?
    private(set) var streams: [Int32: HTTP2TestResponse] = [:]
    /// Stream ids in the order their answers completed (END_STREAM or RST_STREAM).
    private(set) var completionOrder: [Int32] = []
    /// (last stream id, error code, debug data) of the server's GOAWAY.
    private(set) var goAway: (lastStream: Int32, code: UInt32, debug: String)?
    private(set) var serverSettings: [UInt16: UInt32]?
    private(set) var settingsAcks = 0
    private(set) var closed = false
    /// A header block in CONTINUATIONs: (stream, fragments so far, END_STREAM on its HEADERS).
    private var pendingBlock: (Int32, [UInt8], Bool)?
    private var nextStream: Int32 = 1

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    /// Connects and sends the preface with an empty SETTINGS (plus `settings` entries).
    init(port: Int, settings: [(UInt16, UInt32)] = [], timeoutSeconds: Int = 10) throws {
        raw = try RawClient(port: port, timeout: Double(timeoutSeconds))
        guard nghttp2_hd_deflate_new(&deflater, 4096) == 0, nghttp2_hd_inflate_new(&inflater) == 0 else {
            throw TestError.io("nghttp2 HPACK coder")
        }
        var payload: [UInt8] = []
        for (id, value) in settings { payload += [UInt8(id >> 8), UInt8(id & 0xFF)] + HTTP2Frame.uint32(value) }
        raw.send(Self.preface + HTTP2Frame(type: 4, flags: 0, stream: 0, payload: payload).bytes)
    }

    deinit {
        if let deflater { nghttp2_hd_deflate_del(deflater) }
        if let inflater { nghttp2_hd_inflate_del(inflater) }
    }

    /// A fresh client stream id (odd, increasing).
    func newStream() -> Int32 {
        defer { nextStream += 2 }
        return nextStream
    }

    // MARK: Writing

    func send(_ frame: HTTP2Frame) { raw.send(frame.bytes) }

    func send(_ frames: [HTTP2Frame]) { raw.send(frames.flatMap(\.bytes)) }

    /// An HPACK block for `fields` (names as given: lowercase them for a valid request).
    func headerBlock(_ fields: [(String, String)]) -> [UInt8] {
        var storage: [UInt8] = []
        var offsets: [(Int, Int, Int, Int)] = []
        for (name, value) in fields {
            let n = storage.count
            storage += Array(name.utf8)
            let v = storage.count
            storage += Array(value.utf8)
            offsets.append((n, v - n, v, storage.count - v))
        }
        storage.append(0)
        return storage.withUnsafeMutableBufferPointer { bytes in
            var nva = offsets.map { n, nl, v, vl in
                nghttp2_nv(
                    name: bytes.baseAddress! + n, value: bytes.baseAddress! + v, namelen: nl, valuelen: vl,
                    flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
            }
            return nva.withUnsafeMutableBufferPointer { nv in
                let bound = nghttp2_hd_deflate_bound(deflater, nv.baseAddress, nv.count)
                var out = [UInt8](repeating: 0, count: bound)
                let n = out.withUnsafeMutableBufferPointer {
                    nghttp2_hd_deflate_hd(deflater, $0.baseAddress, bound, nv.baseAddress, nv.count)
                }
                precondition(n >= 0, "nghttp2_hd_deflate_hd: \(n)")
                return Array(out[0..<n])
            }
        }
    }

    /// The pseudo-headers of a request, then `headers`.
    static func requestFields(method: String, path: String, headers: [(String, String)] = []) -> [(String, String)] {
        [(":method", method), (":scheme", "http"), (":path", path), (":authority", "127.0.0.1")] + headers
    }

    /// HEADERS (END_STREAM when there is no body and `endStream`), then DATA with the body.
    @discardableResult
    func request(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil, endStream: Bool = true,
        stream: Int32? = nil
    ) -> Int32 {
        let id = stream ?? newStream()
        let block = headerBlock(Self.requestFields(method: method, path: path, headers: headers))
        var flags = HTTP2Frame.endHeaders
        if body == nil && endStream { flags |= HTTP2Frame.endStream }
        var frames = [HTTP2Frame(type: 1, flags: flags, stream: id, payload: block)]
        if let body { frames.append(HTTP2Frame(type: 0, flags: endStream ? HTTP2Frame.endStream : 0, stream: id, payload: body)) }
        send(frames)
        return id
    }

    func resetStream(_ id: Int32, code: UInt32 = 0x8) {
        send(HTTP2Frame(type: 3, flags: 0, stream: id, payload: HTTP2Frame.uint32(code)))
    }

    // MARK: Reading

    /// The next frame (after handling it), or nil on EOF or when the read times out.
    func readFrame() -> HTTP2Frame? {
        guard !closed, let head = raw.readBytes(9) else {
            closed = true
            return nil
        }
        let length = Int(head[0]) << 16 | Int(head[1]) << 8 | Int(head[2])
        guard let payload = length == 0 ? [] : raw.readBytes(length) else {
            closed = true
            return nil
        }
        let frame = HTTP2Frame(
            type: head[3], flags: head[4], stream: Int32(bitPattern: HTTP2Frame.readUInt32(head, at: 5) & 0x7FFF_FFFF),
            payload: payload)
        handle(frame)
        return frame
    }

    /// Reads frames until `condition` holds, EOF or a read timeout; returns `condition()`.
    @discardableResult
    func read(until condition: () -> Bool) -> Bool {
        var frames = 0
        while !condition() && frames < 100_000 {
            guard readFrame() != nil else { break }
            frames += 1
        }
        return condition()
    }

    /// Stream `id`'s answer once complete; nil on EOF or a read timeout before.
    func response(_ id: Int32) -> HTTP2TestResponse? {
        read { streams[id]?.isComplete == true }
        return streams[id]?.isComplete == true ? streams[id] : nil
    }

    /// Reads until the server closes; whether it did (EOF) before a read timed out.
    func readUntilClosed() -> Bool {
        read { closed }
        return raw.readsEOF()
    }

    private func handle(_ frame: HTTP2Frame) {
        switch frame.kind {
        case .settings where frame.flags & HTTP2Frame.ack != 0:
            settingsAcks += 1
        case .settings:
            var settings: [UInt16: UInt32] = [:]
            var i = 0
            while i + 6 <= frame.payload.count {
                settings[UInt16(frame.payload[i]) << 8 | UInt16(frame.payload[i + 1])] = HTTP2Frame.readUInt32(frame.payload, at: i + 2)
                i += 6
            }
            serverSettings = settings
            send(HTTP2Frame(type: 4, flags: HTTP2Frame.ack, stream: 0, payload: []))
        case .ping where frame.flags & HTTP2Frame.ack == 0:
            send(HTTP2Frame(type: 6, flags: HTTP2Frame.ack, stream: 0, payload: frame.payload))
        case .goAway:
            let debug = String(decoding: frame.payload.dropFirst(8), as: UTF8.self)
            goAway = (
                Int32(bitPattern: HTTP2Frame.readUInt32(frame.payload, at: 0) & 0x7FFF_FFFF), HTTP2Frame.readUInt32(frame.payload, at: 4),
                debug
            )
        case .rstStream:
            streams[frame.stream, default: HTTP2TestResponse()].frames.append(frame)
            streams[frame.stream]?.reset = HTTP2Frame.readUInt32(frame.payload, at: 0)
            completionOrder.append(frame.stream)
        case .headers, .continuation:
            streams[frame.stream, default: HTTP2TestResponse()].frames.append(frame)
            var fragment = frame.payload
            if frame.kind == .headers {
                var start = 0
                var end = fragment.count
                if frame.flags & 0x8 != 0 {  // PADDED
                    start += 1
                    end -= Int(fragment[0])
                }
                if frame.flags & 0x20 != 0 { start += 5 }  // PRIORITY
                fragment = Array(fragment[start..<end])
                pendingBlock = (frame.stream, fragment, frame.flags & HTTP2Frame.endStream != 0)
            } else {
                pendingBlock?.1 += fragment
            }
            if frame.flags & HTTP2Frame.endHeaders != 0, let (id, block, ends) = pendingBlock {
                pendingBlock = nil
                let fields = decode(block)
                if streams[id]!.headers.isEmpty || streams[id]!.status.map({ $0 < 200 }) == true {
                    streams[id]!.headers = fields
                } else {
                    streams[id]!.trailers = fields
                }
                if ends {
                    streams[id]!.ended = true
                    completionOrder.append(id)
                }
            }
        case .data:
            streams[frame.stream, default: HTTP2TestResponse()].frames.append(frame)
            var body = frame.payload
            if frame.flags & 0x8 != 0, let pad = body.first { body = Array(body[1..<(body.count - Int(pad))]) }
            streams[frame.stream]!.body += body
            if frame.flags & HTTP2Frame.endStream != 0 {
                streams[frame.stream]!.ended = true
                completionOrder.append(frame.stream)
            }
            if !frame.payload.isEmpty {
                let increment = HTTP2Frame.uint32(UInt32(frame.payload.count))
                var updates = [HTTP2Frame(type: 8, flags: 0, stream: 0, payload: increment)]
                if !streams[frame.stream]!.ended { updates.append(HTTP2Frame(type: 8, flags: 0, stream: frame.stream, payload: increment)) }
                send(updates)
            }
        default:
            break
        }
    }

    /// Decodes one complete header block with libnghttp2's inflater.
    private func decode(_ block: [UInt8]) -> [(String, String)] {
        guard !block.isEmpty else { return [] }
        var fields: [(String, String)] = []
        block.withUnsafeBufferPointer { input in
            var offset = 0
            while true {
                var nv = nghttp2_nv()
                var flags: Int32 = 0
                let n = nghttp2_hd_inflate_hd2(inflater, &nv, &flags, input.baseAddress! + offset, input.count - offset, 1)
                precondition(n >= 0, "nghttp2_hd_inflate_hd2: \(n)")
                offset += n
                if UInt32(flags) & NGHTTP2_HD_INFLATE_EMIT.rawValue != 0 {
                    fields.append(
                        (
                            String(decoding: UnsafeBufferPointer(start: nv.name, count: nv.namelen), as: UTF8.self),
                            String(decoding: UnsafeBufferPointer(start: nv.value, count: nv.valuelen), as: UTF8.self)
                        ))
                }
                if UInt32(flags) & NGHTTP2_HD_INFLATE_FINAL.rawValue != 0 {
                    nghttp2_hd_inflate_end_headers(inflater)
                    break
                }
                if n == 0 && UInt32(flags) & NGHTTP2_HD_INFLATE_EMIT.rawValue == 0 { break }
            }
        }
        return fields
    }
}
