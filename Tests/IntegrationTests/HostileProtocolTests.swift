import Foundation
import TestSupport
import Testing

/// Hostile requests beyond `/v1/dense` bodies, against the running server: V2 binary framing,
/// registered-model routes, HTTP framing. Each gets a 4xx with a JSON error body, the server
/// stays up (the same connection pool keeps answering) and its memory stays bounded.
@Suite struct HostileProtocolTests {
    /// A registered model `m`: Dense(2) on inputs of width 3.
    static let model = #"{"layers": [{"units": 2, "kernel": [[1, 0], [0, 1], [1, 1]], "bias": [0, 0.5]}]}"#

    static func v2(_ json: String, binary: [UInt8] = [], headerLength: String?) -> String {
        var head = "POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Length: \(json.utf8.count + binary.count)\r\n"
        if let headerLength { head += "Inference-Header-Content-Length: \(headerLength)\r\n" }
        return head + "\r\n" + json
    }

    static func input(shape: String, datatype: String = "FP32", size: String) -> String {
        #"{"inputs": [{"name": "input", "shape": \#(shape), "datatype": "\#(datatype)", "parameters": {"binary_data_size": \#(size)}}]}"#
    }

    /// (label, request head and JSON, binary bytes after it, status)
    static let requests: [(String, String, [UInt8], Int)] = {
        var cases: [(String, String, [UInt8], Int)] = []
        func add(_ label: String, _ json: String, binary: [UInt8] = [], headerLength: String?, _ status: Int) {
            cases.append((label, v2(json, binary: binary, headerLength: headerLength), binary, status))
        }
        let twelve = [UInt8](repeating: 0, count: 12)
        let ok = input(shape: "[1, 3]", size: "12")
        add("V2 header length 10^30", ok, binary: twelve, headerLength: "1" + String(repeating: "0", count: 30), 400)
        add("V2 header length -0", ok, binary: twelve, headerLength: "-0", 400)
        add("V2 header length hex", ok, binary: twelve, headerLength: "0x10", 400)
        add("V2 header length empty", ok, binary: twelve, headerLength: "", 400)
        add("V2 header length 0", ok, binary: twelve, headerLength: "0", 400)
        add("V2 header length inside a UTF-8 character", #"{"id": "é", "inputs": []}"#, headerLength: "9", 400)
        add(
            "V2 binary_data_size 2^62", input(shape: "[1, 3]", size: "4611686018427387904"), binary: twelve,
            headerLength: String(ok.utf8.count + 7), 400)
        add(
            "V2 binary_data_size 1e300", input(shape: "[1, 3]", size: "1e300"), binary: twelve, headerLength: String(ok.utf8.count + 3), 400
        )
        add(
            "V2 binary_data_size negative", input(shape: "[1, 3]", size: "-12"), binary: twelve, headerLength: String(ok.utf8.count + 1),
            400)
        let overflow = input(shape: "[4294967296, 4294967296, 3]", size: "0")
        add("V2 shape product overflows Int", overflow, headerLength: String(overflow.utf8.count), 422)
        let bytesOverflow = input(shape: "[2305843009213693952, 3]", datatype: "FP64", size: "0")
        add("V2 shape × 8 bytes overflows Int", bytesOverflow, headerLength: String(bytesOverflow.utf8.count), 422)
        let billion = input(shape: "[1000000000, 3]", size: "12000000000")
        add("V2 10^9 rows with no bytes", billion, headerLength: String(billion.utf8.count), 422)
        let zero = input(shape: "[0, 3]", size: "0")
        add("V2 zero dimension", zero, headerLength: String(zero.utf8.count), 422)
        add("V2 100k nested [", #"{"inputs": "# + String(repeating: "[", count: 100_000), headerLength: nil, 400)
        add(
            "V2 rank 1000",
            #"{"inputs": [{"name": "input", "shape": [\#(Array(repeating: "1", count: 1000).joined(separator: ","))], "datatype": "FP32", "data": [1]}]}"#,
            headerLength: nil, 422)
        add(
            "V2 lone surrogate id",
            #"{"id": "\udc00", "inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}"#, headerLength: nil,
            400)
        add(
            "V2 duplicate inputs key",
            #"{"inputs": [], "inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}"#, headerLength: nil,
            400)
        add(
            "V2 1e400 in data", #"{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 1e400]}]}"#,
            headerLength: nil, 400)
        add(
            "V2 INT8 out of range in data", #"{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "INT8", "data": [1, 2, 1e300]}]}"#,
            headerLength: nil, 422)

        func raw(_ label: String, _ text: String, _ status: Int) { cases.append((label, text, [], status)) }
        raw(
            "predict: units 2^31 body",
            "POST /v1/models/m/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 48\r\n\r\n"
                + #"{"input": {"shape": [-1, 3], "data": [1, 2, 3]}}"#, 422)
        raw(
            "predict: version 2^70",
            "POST /v1/models/m/versions/1180591620717411303424/predict HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", 400)
        let put = #"{"layer": {"units": 2147483648}, "input_shape": [null, 3]}"#
        raw(
            "PUT units 2^31",
            "PUT /v1/models/big HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(put.utf8.count)\r\n\r\n" + put,
            422)
        let layers =
            #"{"layers": [\#(Array(repeating: #"{"units":1}"#, count: 100_000).joined(separator: ","))], "input_shape": [null, 1]}"#
        raw(
            "PUT 10^5 layers",
            "PUT /v1/models/deep HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(layers.utf8.count)\r\n\r\n"
                + layers, 422)
        raw(
            "chunk size 2^80",
            "POST /v1/dense HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n",
            400)
        raw(
            "Content-Length and chunked",
            "POST /v1/dense HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)
        raw("two Content-Lengths", "POST /v1/dense HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 400)
        raw("Content-Length -1", "POST /v1/dense HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400)
        raw("Content-Length 2^64", "POST /v1/dense HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551616\r\n\r\n", 413)
        raw("one 1 MiB header value", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 1 << 20))\r\n\r\n", 431)
        raw("100 KiB request line", "GET /\(String(repeating: "a", count: 100_000)) HTTP/1.1\r\nHost: x\r\n\r\n", 414)
        raw(
            "gzip that is not gzip",
            "POST /v1/dense HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello",
            400)
        raw(
            "unknown content encoding",
            "POST /v1/dense HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: br\r\nContent-Length: 2\r\n\r\n{}",
            415)
        raw("NUL in the path", "GET /v1/models/a\u{0}b HTTP/1.1\r\nHost: x\r\n\r\n", 400)
        return cases
    }()

    @Test func everyHostileRequestIsA4xxAndTheServerStaysUp() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let put = try await Client.call("PUT", server.baseURL + "/v1/models/m", json: Self.model)
        #expect(put.status == 201)
        let before = residentBytes(pid: server.process.processIdentifier)
        for (label, request, binary, status) in Self.requests {
            let client = try RawClient(port: server.port)
            client.send(request)
            if !binary.isEmpty { client.send(binary) }
            let response = client.readResponse()
            #expect(
                response?.status == status,
                "\(label): \(response.map { String(decoding: $0.body, as: UTF8.self).prefix(300) } ?? "no response")")
            let body = response.map { String(decoding: $0.body, as: UTF8.self) } ?? ""
            #expect(body.contains("\"code\"") && body.contains("\"error\""), "\(label) has a JSON error body: \(body.prefix(200))")
            let alive = try await Client.call("GET", server.baseURL + "/healthz")
            #expect(alive.status == 200, "\(label): server stays up")
        }
        let after = residentBytes(pid: server.process.processIdentifier)
        #expect(after < before + (256 << 20), "RSS \(before >> 20) → \(after >> 20) MiB")
        // The model still answers correctly after all of it.
        let predict = try await Client.call("POST", server.baseURL + "/v1/models/m/predict", json: #"{"input": [[1, 2, 3]]}"#)
        #expect(predict.status == 200)
    }
}

/// Regression: every connection could hold up to `max_body_bytes` while receiving, so a few
/// hundred clients sending large bodies slowly drove the server to gigabytes (48 connections
/// holding 60 MiB each took it to 2.8 GB). Now all connections together hold at most
/// `max_buffered_request_bytes`: the connection that would pass it gets 503 `server_busy`.
@Suite struct RequestBytesBudgetTests {
    @Test func manyLargeUploadsAreCappedServerWide() async throws {
        let server = try ServerProcess(arguments: [
            "--set", "max_body_bytes=4194304", "--set", "max_buffered_request_bytes=8388608",
            // The uploads wait for each other; under a sanitizer that can pass the default 30 s.
            "--set", "body_read_timeout_s=600",
        ])
        defer { server.stop() }
        let head = "POST /v1/dense HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4194304\r\n\r\n"
        let piece = [UInt8](repeating: 0x20, count: 256 << 10)
        /// Sends `pieces` × 256 KiB of body, stopping at an early answer (a refusal: the server
        /// reads no more from us, and more bytes could reset the answer away).
        func upload(_ client: RawClient, pieces: Int) -> TestResponse? {
            client.setReceiveTimeout(0.02)
            for _ in 0..<pieces {
                if let early = client.readResponse() { return early }
                client.send(piece)
            }
            return nil
        }
        var clients: [RawClient] = []
        var answers: [TestResponse?] = []
        for _ in 0..<4 {  // 3 MiB each, 12 MiB in all
            let client = try RawClient(port: server.port, timeout: 20)
            client.send(head)
            answers.append(upload(client, pieces: 12))
            clients.append(client)
        }
        // Meanwhile a small request on a new connection is served.
        let alive = try await Client.call("GET", server.baseURL + "/healthz")
        #expect(alive.status == 200)
        var busy = 0
        for (client, early) in zip(clients, answers) {
            var response = early ?? upload(client, pieces: 4)
            if response == nil {
                client.setReceiveTimeout(20)
                response = client.readResponse()
            }
            let body = response.map { String(decoding: $0.body, as: UTF8.self) } ?? ""
            // Whitespace is malformed JSON (400) for the uploads that fit.
            #expect(response?.status == 400 || response?.status == 503, "\(response?.status ?? -1): \(body.prefix(200))")
            if response?.status == 503 {
                busy += 1
                #expect(body.contains("\"server_busy\"") && response?.header("retry-after") != nil, "\(body)")
            }
        }
        #expect(busy >= 1, "4 × 4 MiB uploads against an 8 MiB budget: at least one is refused")
        // The budget is given back: a full upload goes through again.
        let again = try RawClient(port: server.port, timeout: 20)
        again.send(head)
        again.send([UInt8](repeating: 0x20, count: 4 << 20))
        #expect(again.readResponse()?.status == 400)
        #expect(residentBytes(pid: server.process.processIdentifier) < 512 << 20)
    }
}

/// Regression: a 600-byte request can ask for a 90 MB answer (`units` 65536 on 100 rows), and
/// a client that never reads kept it in memory until the write timeout: eight such clients
/// took the server from 25 MB to 773 MB. Now unsent response bytes of all connections stay
/// within `max_buffered_response_bytes`: a large response past it becomes 503 `server_busy`.
@Suite struct ResponseBytesBudgetTests {
    @Test func answersNobodyReadsAreCappedServerWide() async throws {
        let server = try ServerProcess(arguments: ["--set", "max_buffered_response_bytes=16777216"])
        defer { server.stop() }
        // An 11 MB answer (64 × 32768 float32 as base64) to a ~500-byte request; the kernel's
        // send buffer (up to 4 MB on loopback) takes part of it, the server holds the rest.
        let body =
            #"{"layer": {"units": 32768, "seed": 1}, "input": {"shape": [64, 1], "data": [\#(Array(repeating: "0.5", count: 64).joined(separator: ","))]}, "output_format": "b64"}"#
        let request =
            "POST /v1/dense HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
        var clients: [RawClient] = []
        for _ in 0..<6 {
            // A long timeout: under ThreadSanitizer each 11 MB answer takes tens of seconds.
            let client = try RawClient(port: server.port, timeout: 600, receiveBuffer: 4096)
            client.send(request)
            clients.append(client)
            // Let the server queue this answer before the next one.
            try await Task.sleep(for: .milliseconds(400))
        }
        var statuses: [Int] = []
        for client in clients {
            let line = client.readStatusLine()
            statuses.append(line)
        }
        #expect(statuses.allSatisfy { $0 == 200 || $0 == 503 }, "\(statuses)")
        #expect(statuses.contains(200) && statuses.contains(503), "6 × 11 MB unread against 16 MiB: \(statuses)")
        clients.removeAll()
        // Once those clients are gone, the same answer goes out in full again.
        try await Task.sleep(for: .milliseconds(200))
        #expect(server.process.isRunning, "server alive: \(server.stderr.suffix(3000))")
        let result = try await Client.call("POST", server.baseURL + "/v1/dense", json: body)
        #expect(result.status == 200)
        #expect(((result.json["output"] as? [String: Any])?["b64"] as? String)?.count ?? 0 > 10_000_000)
    }
}
