import Foundation
import Glibc
import TestSupport
import Testing

/// Regression (audit finding 4), through the binary: with `write_timeout_s=1`, a client reading
/// 98 KiB/s without pause got EOF after 39 s with 119 of 300 answers, because the timeout saw
/// progress only when the server's own `send` succeeded. Now it is the client's acknowledged
/// bytes that count, so a steady slow reader of pipelined large answers gets every one of them.
@Suite struct SlowReaderTests {
    @Test func aSteadySlowReaderGetsEveryPipelinedAnswer() async throws {
        let server = try ServerProcess(arguments: ["--set", "write_timeout_s=1"])
        defer { server.stop() }
        let put = try await Client.call(
            "PUT", server.baseURL + "/v1/models/wide",
            json: #"{"layers": [{"units": 4096, "seed": 1}], "input_shape": [null, 8]}"#)
        #expect(put.status == 201)
        // Six answers of about 1 MB each (20 rows × 4096 floats), asked for at once.
        let predict =
            "{\"input\": [" + Array(repeating: "[0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]", count: 20).joined(separator: ",") + "]}"
        let request =
            "POST /v1/models/wide/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(predict.utf8.count)\r\n\r\n"
            + predict
        let client = try RawClient(port: server.port, timeout: 30, receiveBuffer: 8192)
        client.send(String(repeating: request, count: 6))
        // Reads of at most 16 KiB, then a pause as long as that takes at 1 MiB/s: about 6 s,
        // six times the write timeout, never a pause longer than 16 ms.
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while Self.completeResponses(received).count < 6 {
            let n = chunk.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += chunk[0..<n]
            usleep(UInt32(n * 1_000_000 / (1 << 20)))
        }
        let statuses = Self.completeResponses(received)
        #expect(statuses == Array(repeating: 200, count: 6), "\(statuses.count) of 6 answers in \(received.count) bytes")
        #expect(server.process.isRunning)
    }

    /// The statuses of the complete Content-Length responses at the start of `bytes`.
    static func completeResponses(_ bytes: [UInt8]) -> [Int] {
        var statuses: [Int] = []
        var start = 0
        while let end = bytes[start...].firstRange(of: [13, 10, 13, 10])?.upperBound {
            let head = String(decoding: bytes[start..<end], as: UTF8.self).lowercased()
            let length =
                head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
            guard bytes.count - end >= length else { break }
            statuses.append(Int(head.split(separator: " ").dropFirst().first ?? "") ?? -1)
            start = end + length
        }
        return statuses
    }
}
