import Foundation
import Testing

/// Every REST route answers the same over HTTP/2 (curl `--http2-prior-knowledge`, h2c) as over
/// HTTP/1.1 (curl `--http1.1`): status, body bytes, header names (but `Connection`) and
/// `Content-Type`; only `Date` and `X-Request-Id` values may differ. Bodies with `timing_ms`
/// (or a PUT's `created_at`) are compared with those fields dropped.
@Suite(.serialized) struct HTTP2RESTParityTests {
    /// One curl exchange as curl saw it.
    struct Exchange {
        var httpVersion: String
        var status: Int
        /// Lowercased names, in order, with values.
        var headers: [(String, String)]
        var body: Data

        func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }
    }

    /// One request: method, path, body file contents, extra headers; `volatile` JSON keys
    /// (anywhere in the body) are dropped before comparing.
    struct Call: CustomTestStringConvertible {
        var label: String
        var method: String
        var path: String
        var body: Data? = nil
        var headers: [String] = []
        var volatile: Set<String> = []
        var testDescription: String { label }
    }

    static let seedRow = (0..<100).map { String(Double($0 % 7) * 0.125) }.joined(separator: ", ")

    /// The seed model's input [1, 20, 5] as 100 little-endian FP32 values.
    static var seedRaw: Data {
        var data = Data()
        for i in 0..<100 { withUnsafeBytes(of: (Float(i % 7) * 0.125).bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static var binaryInfer: (Data, Int) {
        let json = Data(
            (#"{"inputs": [{"name": "input", "shape": [1, 20, 5], "datatype": "FP32", "parameters": {"binary_data_size": 400}}], "#
                + #""outputs": [{"name": "output", "parameters": {"binary_data": true}}]}"#).utf8)
        return (json + seedRaw, json.count)
    }

    static var gzipInfer: Data {
        let json = #"{"inputs": [{"name": "input", "shape": [1, 20, 5], "datatype": "FP32", "data": [\#(seedRow)]}]}"#
        return try! gzip(Data(json.utf8))
    }

    /// gzip through the system's `gzip -c` (the test's own encoder, not the server's).
    static func gzip(_ data: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-c"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(data)
        try input.fileHandleForWriting.close()
        let compressed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return compressed
    }

    static let model = #"{"layers": [{"units": 2, "kernel": [[1, 0], [0, 1], [1, 1]], "bias": [0, 0.5]}]}"#

    static let calls: [Call] = {
        let json = ["-H", "Content-Type: application/json"]
        let (binary, headerLength) = binaryInfer
        return [
            Call(label: "GET /v2/health/live", method: "GET", path: "/v2/health/live"),
            Call(label: "GET /v2/health/ready", method: "GET", path: "/v2/health/ready"),
            Call(label: "GET /v2", method: "GET", path: "/v2"),
            Call(label: "GET /v1/models", method: "GET", path: "/v1/models"),
            Call(label: "GET /v2/models/seed", method: "GET", path: "/v2/models/seed"),
            Call(label: "GET /v2/models/seed/config", method: "GET", path: "/v2/models/seed/config"),
            Call(label: "GET /openapi.yaml", method: "GET", path: "/openapi.yaml"),
            Call(label: "HEAD /openapi.yaml", method: "HEAD", path: "/openapi.yaml"),
            Call(label: "404", method: "GET", path: "/v2/no/such/route"),
            Call(label: "405", method: "POST", path: "/v2/health/live"),
            Call(
                label: "V2 infer, JSON", method: "POST", path: "/v2/models/seed/infer",
                body: Data(
                    #"{"id": "p1", "inputs": [{"name": "input", "shape": [1, 20, 5], "datatype": "FP32", "data": [\#(seedRow)]}]}"#.utf8),
                headers: json),
            Call(
                label: "V2 infer, binary extension", method: "POST", path: "/v2/models/seed/infer", body: binary,
                headers: ["-H", "Content-Type: application/octet-stream", "-H", "Inference-Header-Content-Length: \(headerLength)"]),
            Call(
                label: "V2 infer, gzip body", method: "POST", path: "/v2/models/seed/infer", body: gzipInfer,
                headers: json + ["-H", "Content-Encoding: gzip"]),
            Call(
                label: "V2 infer, 422", method: "POST", path: "/v2/models/seed/infer",
                body: Data(#"{"inputs": [{"name": "input", "shape": [1, 2], "datatype": "FP32", "data": [1, 2]}]}"#.utf8), headers: json),
            Call(
                label: "predict", method: "POST", path: "/v1/models/seed/predict",
                body: Data(#"{"input": {"shape": [1, 20, 5], "data": [\#(seedRow)]}}"#.utf8), headers: json, volatile: ["timing_ms"]),
            Call(
                label: "gzip'd answer", method: "GET", path: "/openapi.yaml", headers: ["-H", "Accept-Encoding: gzip"]),
        ]
    }()

    static let curl = "/usr/bin/curl"

    /// Runs curl once with `--http1.1` or `--http2-prior-knowledge`.
    static func exchange(_ call: Call, http2: Bool, baseURL: String) throws -> Exchange {
        let dir = NSTemporaryDirectory() + "h2-parity-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var arguments = [
            "-sS", "--max-time", "30", http2 ? "--http2-prior-knowledge" : "--http1.1", "-D", dir + "/headers", "-o", dir + "/body",
            "-w", "%{http_version}",
        ]
        arguments += call.method == "HEAD" ? ["--head"] : ["-X", call.method]
        if let body = call.body {
            try body.write(to: URL(fileURLWithPath: dir + "/request"))
            arguments += ["--data-binary", "@" + dir + "/request"]
        }
        arguments += call.headers + [baseURL + call.path]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: curl)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let version = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "curl \(arguments.joined(separator: " ")): \(errors)")
        let headerText = try String(contentsOfFile: dir + "/headers", encoding: .utf8)
        // The last header block (a 100 Continue would come first).
        let block = headerText.components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }.last ?? ""
        var lines = block.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        let status = try #require(statusLine.count >= 2 ? Int(statusLine[1]) : nil, "status line in \(headerText)")
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        // `--head` writes the head to the body file as well: a HEAD has no body to compare.
        let body = call.method == "HEAD" ? Data() : (try? Data(contentsOf: URL(fileURLWithPath: dir + "/body"))) ?? Data()
        return Exchange(httpVersion: version, status: status, headers: headers, body: body)
    }

    /// The body with `volatile` keys removed (re-serialized with sorted keys), or as it is.
    static func comparable(_ body: Data, dropping volatile: Set<String>) -> Data {
        guard !volatile.isEmpty, let value = try? JSONSerialization.jsonObject(with: body) else { return body }
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.filter { !volatile.contains($0.key) }.mapValues(strip)
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        return (try? JSONSerialization.data(withJSONObject: strip(value), options: [.sortedKeys])) ?? body
    }

    /// Compares one HTTP/1.1 and one HTTP/2 exchange of `call`.
    static func expectParity(_ call: Call, _ h1: Exchange, _ h2: Exchange) {
        #expect(h1.httpVersion == "1.1", "\(call.label): curl --http1.1 spoke \(h1.httpVersion)")
        #expect(h2.httpVersion == "2", "\(call.label): curl --http2-prior-knowledge spoke \(h2.httpVersion)")
        #expect(h1.status == h2.status, "\(call.label): HTTP/1.1 \(h1.status), HTTP/2 \(h2.status)")
        let b1 = comparable(h1.body, dropping: call.volatile)
        let b2 = comparable(h2.body, dropping: call.volatile)
        #expect(
            b1 == b2,
            "\(call.label): bodies differ (\(h1.body.count) vs \(h2.body.count) bytes):\n\(String(decoding: b1.prefix(300), as: UTF8.self))\n\(String(decoding: b2.prefix(300), as: UTF8.self))"
        )
        let names1 = Set(h1.headers.map(\.0)).subtracting(["connection", "keep-alive"])
        let names2 = Set(h2.headers.map(\.0))
        #expect(names1 == names2, "\(call.label): header names HTTP/1.1 \(names1.sorted()), HTTP/2 \(names2.sorted())")
        #expect(h2.header("connection") == nil, "\(call.label): Connection over HTTP/2")
        #expect(h1.header("content-type") == h2.header("content-type"), "\(call.label): Content-Type")
        // A body with volatile fields (timing) may differ in length by a digit or two.
        let varying: Set<String> = call.volatile.isEmpty ? ["date", "x-request-id"] : ["date", "x-request-id", "content-length"]
        for name in names1 where !varying.contains(name) {
            #expect(h1.header(name) == h2.header(name), "\(call.label): \(name) \(h1.header(name) ?? "-") vs \(h2.header(name) ?? "-")")
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: curl), "needs /usr/bin/curl"))
    func everyRouteAnswersTheSameOverBothVersions() throws {
        let server = try ServerProcess(seedModels: true)
        defer { server.stop() }
        for call in Self.calls {
            let h1 = try Self.exchange(call, http2: false, baseURL: server.baseURL)
            let h2 = try Self.exchange(call, http2: true, baseURL: server.baseURL)
            Self.expectParity(call, h1, h2)
        }
        // The answers were real ones, not two identical errors.
        let live = try Self.exchange(Self.calls[0], http2: true, baseURL: server.baseURL)
        #expect(live.status == 200 && String(decoding: live.body, as: UTF8.self) == #"{"live":true}"#)
        let infer = try Self.exchange(Self.calls[10], http2: true, baseURL: server.baseURL)
        #expect(infer.status == 200 && String(decoding: infer.body, as: UTF8.self).contains(#""id":"p1""#))
        let binary = try Self.exchange(Self.calls[11], http2: true, baseURL: server.baseURL)
        #expect(binary.status == 200 && binary.header("inference-header-content-length") != nil)
        let gzipped = try Self.exchange(Self.calls[12], http2: true, baseURL: server.baseURL)
        #expect(gzipped.status == 200, "\(String(decoding: gzipped.body, as: UTF8.self))")
        let answer = try Self.exchange(Self.calls[15], http2: true, baseURL: server.baseURL)
        #expect(answer.header("content-encoding") == "gzip")
    }

    /// A model PUT and DELETE over HTTP/2 from loopback, then the same over HTTP/1.1 (each on a
    /// fresh server, so both see version 1): the same answers (but `created_at`), and the model
    /// really came and went.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: curl), "needs /usr/bin/curl"))
    func modelPutAndDeleteAnswerTheSame() throws {
        let put = Call(
            label: "PUT /v1/models/parity", method: "PUT", path: "/v1/models/parity", body: Data(Self.model.utf8),
            headers: ["-H", "Content-Type: application/json"], volatile: ["created_at"])
        let get = Call(label: "GET /v2/models/parity", method: "GET", path: "/v2/models/parity")
        let delete = Call(label: "DELETE /v1/models/parity", method: "DELETE", path: "/v1/models/parity")
        var answers: [Bool: [Exchange]] = [:]
        for http2 in [true, false] {
            let server = try ServerProcess()
            defer { server.stop() }
            let p = try Self.exchange(put, http2: http2, baseURL: server.baseURL)
            let g = try Self.exchange(get, http2: http2, baseURL: server.baseURL)
            let d = try Self.exchange(delete, http2: http2, baseURL: server.baseURL)
            let gone = try Self.exchange(get, http2: http2, baseURL: server.baseURL)
            #expect(p.status == 201, "PUT over HTTP/\(http2 ? "2" : "1.1"): \(p.status) \(String(decoding: p.body, as: UTF8.self))")
            #expect(g.status == 200 && d.status == 200 && gone.status == 404, "\(g.status) \(d.status) \(gone.status)")
            answers[http2] = [p, g, d, gone]
        }
        for (index, call) in [put, get, delete, get].enumerated() {
            Self.expectParity(call, answers[false]![index], answers[true]![index])
        }
    }
}
