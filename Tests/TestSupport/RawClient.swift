import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking TCP client on 127.0.0.1 for what a real HTTP client will not send (lying
/// `Content-Length`, header floods, pipelined requests, half-closes) and for reading exactly
/// what the server wrote. Send and receive time out, so no test can hang.
public final class RawClient {
    public let fd: Int32
    /// Bytes received and not yet handed out; kept across responses (pipelining).
    private var buffer: [UInt8] = []

    /// Connects, or throws ``TestError/connect(_:)``.
    /// - Parameters:
    ///   - timeout: seconds a send or a receive may wait.
    ///   - receiveBuffer: a small `SO_RCVBUF` makes a client that does not read push back on
    ///     the server at once.
    public init(port: Int, timeout: Double = 10, receiveBuffer: Int? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestError.connect(errno) }
        var tv = Self.makeTimeval(seconds: timeout)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBuffer.map(Int32.init) {
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

    private static func makeTimeval(seconds: Double) -> timeval {
        timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1e6))
    }

    /// How long a read waits from now on.
    public func setReceiveTimeout(_ seconds: Double) {
        var tv = Self.makeTimeval(seconds: seconds)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends all of `text`; false if the peer closed or the send timed out.
    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Sends all of `bytes` (`MSG_NOSIGNAL`: a closed peer is a false, not a SIGPIPE).
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Half-closes: the server reads EOF, the client can still read.
    public func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Reads more bytes; false on EOF, error or timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        buffer += chunk[0..<n]
        return true
    }

    /// One response (an interim 1xx counts as one; `head`: the answer to a HEAD, no body).
    /// Nil on EOF or timeout before a full response.
    public func readResponse(head: Bool = false) -> TestResponse? {
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

    /// Just the status code of the next response (-1 if none arrives), read a byte at a time
    /// so that nothing past the status line leaves the kernel's receive buffer.
    public func readStatusLine() -> Int {
        var line: [UInt8] = []
        while line.count < 1024 {
            var byte: UInt8 = 0
            if !buffer.isEmpty {
                byte = buffer.removeFirst()
            } else if recv(fd, &byte, 1, 0) != 1 {
                break
            }
            if byte == 10 { break }
            line.append(byte)
        }
        return String(decoding: line, as: UTF8.self).split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? -1
    }

    /// Exactly `count` bytes (buffered first); nil on EOF or timeout before them.
    public func readBytes(_ count: Int) -> [UInt8]? {
        var rounds = 0
        while buffer.count < count {
            rounds += 1
            if rounds > 100_000 || !fill() { return nil }
        }
        defer { buffer.removeFirst(count) }
        return Array(buffer[0..<count])
    }

    /// Whether the peer closed (EOF or reset) with nothing more to read within the timeout.
    public func readsEOF() -> Bool {
        guard buffer.isEmpty else { return false }
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, 0)
        if n == 0 { return true }
        if n < 0 { return errno == ECONNRESET }
        return false
    }
}
