import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Hostile inputs against the running server: each gets a 4xx JSON error, the server stays
/// up, and its memory stays bounded.
@Suite struct HostileInputTests {
    let server: ServerProcess

    init() throws { server = try ServerProcess(seedModels: true) }

    static func bigArray(_ count: Int, _ text: String) -> String { Array(repeating: text, count: count).joined(separator: ",") }

    /// (label, body, status) for POST /v1/dense, each a client mistake (or, at 200, a valid
    /// but extreme input that must be read exactly, such as a 10k-digit fraction).
    static var bodies: [(String, Data, Int)] {
        textBodies.map { ($0.0, Data($0.1.utf8), $0.2) } + [
            (
                "invalid UTF-8", Data(#"{"layer": {"units": 1, "name": "a"#.utf8) + Data([0xFF, 0xFE]) + Data(#""}, "input": [1]}"#.utf8),
                400
            ),
            (
                "overlong UTF-8", Data(#"{"layer": {"units": 1, "name": ""#.utf8) + Data([0xC0, 0xAF]) + Data(#""}, "input": [1]}"#.utf8),
                400
            ),
        ]
    }

    static let textBodies: [(String, String, Int)] = [
        ("100k nested [", String(repeating: "[", count: 100_000), 400),
        ("1e400", #"{"layer": {"units": 1}, "input": [1e400]}"#, 400),
        ("10k-digit number", #"{"layer": {"units": 1}, "input": [1\#(String(repeating: "7", count: 10_000))]}"#, 400),
        ("lone surrogate", #"{"layer": {"units": 1, "name": "\ud800"}, "input": [1]}"#, 400),
        ("duplicate keys", #"{"layer": {"units": 1}, "layer": {"units": 2}, "input": [1]}"#, 400),
        ("units 2^31", #"{"layer": {"units": 2147483648}, "input": [1]}"#, 422),
        ("units 2^31 shape-only", #"{"layer": {"units": 2147483648}, "input_shape": [null, 5]}"#, 422),
        ("product overflows Int", #"{"layer": {"units": 1}, "input": {"shape": [4294967296, 4294967296, 1], "data": [1]}}"#, 422),
        ("negative dimension", #"{"layer": {"units": 1}, "input": {"shape": [-3, 1], "data": [1]}}"#, 422),
        ("zero dimension", #"{"layer": {"units": 1}, "input": {"shape": [0, 1], "data": []}}"#, 422),
        ("b64 wrong length", #"{"layer": {"units": 1}, "input": {"shape": [2, 1], "dtype": "float32", "b64": "AACAPw=="}}"#, 422),
        ("-1e400", #"{"layer": {"units": 1}, "input": [-1e400]}"#, 400),
        ("10k-digit fraction", #"{"layer": {"units": 1}, "input": [0.\#(String(repeating: "3", count: 10_000))e5]}"#, 200),
        ("10k-digit exponent", #"{"layer": {"units": 1}, "input": [1e\#(String(repeating: "9", count: 10_000))]}"#, 400),
        ("lone low surrogate", #"{"layer": {"units": 1, "name": "\udc00"}, "input": [1]}"#, 400),
        ("reversed surrogate pair", #"{"layer": {"units": 1, "name": "\udc00\ud800"}, "input": [1]}"#, 400),
        ("duplicate keys in a layer", #"{"layer": {"units": 1, "units": 2}, "input": [1]}"#, 400),
        ("units 2^63", #"{"layer": {"units": 9223372036854775808}, "input": [1]}"#, 400),
        ("units 1e300", #"{"layer": {"units": 1e300}, "input": [1]}"#, 400),
        ("units -1", #"{"layer": {"units": -1}, "input": [1]}"#, 400),
        ("kernel [2^31, 2^31]", #"{"layer": {"units": 1, "kernel": {"shape": [2147483648, 2147483648], "data": [1]}}, "input": [1]}"#, 422),
        ("b64 not base64", #"{"layer": {"units": 1}, "input": {"shape": [1], "dtype": "float32", "b64": "!!!!"}}"#, 400),
        ("b64 float64 of 7 bytes", #"{"layer": {"units": 1}, "input": {"shape": [1], "dtype": "float64", "b64": "AAAAAAAAAA=="}}"#, 422),
        ("rank 10^4 shape", #"{"layer": {"units": 1}, "input": {"shape": [\#(bigArray(10_000, "1"))], "data": [1]}}"#, 422),
        ("10^6-element ragged", #"{"layer": {"units": 1}, "input": [[\#(bigArray(1_000_000, "1"))], [1]]}"#, 422),
        ("shape-only, params overflow (fuzz find)", #"{"layer": {"units": 11},"input_shape": [ 2,211111111111111111]}"#, 422),
        ("shape-only, dimension 2^62", #"{"layers": [{"units": 4096}, {"units": 4096}], "input_shape": [null, 4611686018427387904]}"#, 422),
        ("10^6 layers", #"{"layers": [\#(bigArray(1_000_000, #"{"units":1}"#))], "input": [1]}"#, 422),
    ]

    @Test(arguments: bodies.indices)
    func hostileBodyGetsA4xx(index: Int) async throws {
        defer { server.stop() }
        let (label, body, status) = Self.bodies[index]
        let result = try await Client.call("POST", server.baseURL + "/v1/dense", body: body)
        #expect(result.status == status, "\(label): \(result.text.prefix(300))")
        if status != 200 { #expect(result.json["code"] is String, "\(label) has a JSON error body") }
        let alive = try await Client.call("GET", server.baseURL + "/healthz")
        #expect(alive.status == 200, "\(label): server stays up")
    }

    @Test func negativeZeroAndUnderflowAreNumbers() async throws {
        defer { server.stop() }
        let result = try await Client.call(
            "POST", server.baseURL + "/v1/dense",
            json: #"{"layer": {"units": 1, "kernel": [[1], [1]], "bias": [0]}, "input": [-0, 1e-400]}"#)
        #expect(result.status == 200, "\(result.text)")
    }

    @Test func tenMegabytesOfWhitespace() async throws {
        defer { server.stop() }
        let body = Data(String(repeating: " ", count: 10 << 20).utf8)
        let result = try await Client.call("POST", server.baseURL + "/v1/dense", body: body)
        #expect(result.status == 400)
    }

    @Test func pathTraversalModelNames() async throws {
        defer { server.stop() }
        for path in ["/v1/models/..%2F..%2Fetc%2Fpasswd", "/v1/models/../predict", "/v1/models/.hidden", "/v1/models/a%00b"] {
            let result = try await Client.call("PUT", server.baseURL + path, json: #"{"layer": {"units": 1}, "input_shape": [null, 1]}"#)
            #expect((400...404).contains(result.status), "\(path): \(result.status)")
        }
        let dir = try FileManager.default.contentsOfDirectory(atPath: server.modelDir)
        #expect(dir.allSatisfy { !$0.contains("..") && !$0.contains("passwd") })
    }

    @Test func hugeContentLengthWithNoBodyIs413() throws {
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        client.send("POST /v1/dense HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n")
        let response = client.readResponse()
        #expect(response?.status == 413)
        #expect(response.map { String(decoding: $0.body, as: UTF8.self).contains("\"code\"") } == true)
    }

    @Test func headerFloodIs431() throws {
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        var request = "GET /healthz HTTP/1.1\r\nHost: x\r\n"
        for index in 0..<5000 { request += "X-Flood-\(index): \(String(repeating: "a", count: 20))\r\n" }
        client.send(request + "\r\n")
        #expect(client.readResponse()?.status == 431)
    }

    @Test func gzipBombIs413() throws {
        // 100 MiB of spaces gzip to ~100 KiB; this server's inflated cap is 8 MiB.
        defer { server.stop() }
        let server = try ServerProcess(arguments: ["--set", "max_body_bytes=4194304", "--set", "max_inflated_body_bytes=8388608"])
        defer { server.stop() }
        let bomb = try LimitAnswerTests.gzip(count: 100 << 20)
        let client = try RawClient(port: server.port)
        client.send(
            "POST /v1/dense HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: \(bomb.count)\r\n\r\n"
        )
        client.send(bomb)
        #expect(client.readResponse()?.status == 413)
    }

    @Test func memoryStaysBoundedAfterAllOfIt() async throws {
        defer { server.stop() }
        for (_, body, _) in Self.bodies {
            _ = try await Client.call("POST", server.baseURL + "/v1/dense", body: body)
        }
        let rss = residentBytes(pid: server.process.processIdentifier)
        #expect(rss > 0 && rss < 1 << 30, "RSS \(rss >> 20) MiB")
    }
}
