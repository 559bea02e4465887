import ArgumentParser

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// `dense-server healthcheck`: exit 0 when `/v2/health/ready` answers 200, else 1.
/// For the container's HEALTHCHECK (the runtime image has no curl).
struct HealthcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 if the local server is ready (GET /v2/health/ready is 200), else 1.")

    @Option(name: .long, help: "Host to probe.") var host = "127.0.0.1"
    @Option(name: .long, help: "Port to probe (default: DENSE_PORT, else 8080).") var port: Int?
    @Option(name: .long, help: "Seconds before giving up.") var timeout = 2.0

    func run() throws {
        let target = port ?? ProcessInfo.processInfo.environment["DENSE_PORT"].flatMap(Int.init) ?? 8080
        let status = Self.probe(host: host, port: target, path: "/v2/health/ready", timeout: timeout)
        guard status == 200 else {
            StandardStreams.printError(
                "healthcheck: \(status.map { "status \($0)" } ?? "no answer") from \(host):\(target)\n")
            throw ExitCode(1)
        }
    }

    /// A minimal blocking HTTP/1.1 GET; returns the status code or nil.
    static func probe(host: String, port: Int, path: String, timeout: Double) -> Int? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let info = result else { return nil }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 64)
        var received = 0
        while received < 12 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + received, 64 - received, 0) }
            if n <= 0 { break }
            received += n
        }
        // "HTTP/1.1 200 ..."
        guard received >= 12 else { return nil }
        return Int(String(decoding: buffer[9..<12], as: UTF8.self))
    }
}
