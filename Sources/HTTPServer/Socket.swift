import Glibc

/// Seconds → nanoseconds for deadlines: NaN and negatives give `floor`,
/// anything above ~31 years (or infinity) is clamped, so no conversion traps.
func clampedNanoseconds(_ seconds: Double, floor: Double = 0) -> UInt64 {
    let s = seconds.isNaN ? floor : Swift.min(Swift.max(seconds, floor), 1e9)
    return UInt64(s * 1e9)
}

/// Thin helpers over Glibc sockets (no HTTP here).
enum Socket {
    static var onlineCPUCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// A non-blocking, close-on-exec listening socket with SO_REUSEADDR.
    /// Returns the descriptor and the bound port.
    static func listen(host: String, port: Int, backlog: Int) throws(HTTPServerError) -> (fd: Int32, port: Int) {
        guard (0...65535).contains(port) else { throw .listenFailed(host: host, port: port, errno: EINVAL) }
        let isV6 = host.contains(":")
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(isV6 ? AF_INET6 : AF_INET, type, 0)
        guard fd >= 0 else { throw .listenFailed(host: host, port: port, errno: errno) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let portBytes = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        let bound: Int32?  // nil: `host` is not an address of the family
        if isV6 {
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            addr.sin6_port = portBytes
            bound = inet_pton(AF_INET6, host, &addr.sin6_addr) == 1 ? bind(fd, to: &addr) : nil
        } else {
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = portBytes
            bound = inet_pton(AF_INET, host, &addr.sin_addr) == 1 ? bind(fd, to: &addr) : nil
        }
        guard let rc = bound else {
            close(fd)
            throw .invalidListenAddress(host)
        }
        guard rc == 0, Glibc.listen(fd, Int32(clamping: backlog)) == 0 else {
            let e = errno
            close(fd)
            throw .listenFailed(host: host, port: port, errno: e)
        }
        return (fd, boundPort(fd))
    }

    /// `bind(2)` to a `sockaddr_in` or `sockaddr_in6`; returns its result.
    private static func bind<Address>(_ fd: Int32, to address: inout Address) -> Int32 {
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
        }
    }

    static func boundPort(_ fd: Int32) -> Int {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard rc == 0 else { return 0 }
        return port(of: storage)
    }

    static func port(of storage: sockaddr_storage) -> Int {
        var s = storage
        return withUnsafePointer(to: &s) { p -> Int in
            if Int32(p.pointee.ss_family) == AF_INET6 {
                return p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }

    /// 127.0.0.0/8, ::1, or ::ffff:127.x.y.z.
    static func isLoopback(_ storage: sockaddr_storage) -> Bool {
        var s = storage
        return withUnsafePointer(to: &s) { p -> Bool in
            switch Int32(p.pointee.ss_family) {
            case AF_INET:
                return p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    UInt32(bigEndian: $0.pointee.sin_addr.s_addr) >> 24 == 127
                }
            case AF_INET6:
                return p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { a -> Bool in
                    var addr = a.pointee.sin6_addr
                    return withUnsafeBytes(of: &addr) { b -> Bool in
                        let loop6 = b.prefix(15).allSatisfy { $0 == 0 } && b[15] == 1
                        let mapped = b.prefix(10).allSatisfy { $0 == 0 } && b[10] == 0xFF && b[11] == 0xFF && b[12] == 127
                        return loop6 || mapped
                    }
                }
            default:
                return false
            }
        }
    }

    /// Non-blocking, close-on-exec, TCP_NODELAY for an accepted connection.
    static func configureAccepted(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Best-effort write of `bytes` without blocking or SIGPIPE; returns bytes written.
    @discardableResult
    static func sendNow(_ fd: Int32, _ bytes: [UInt8]) -> Int {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
            if n > 0 {
                sent += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        return sent
    }
}
