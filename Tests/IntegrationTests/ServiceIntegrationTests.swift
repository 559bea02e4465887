import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real binary, over real HTTP.
@Suite struct ServiceIntegrationTests {
    @Test func seedModelIsServedOutOfTheBox() async throws {
        let server = try ServerProcess(seedModels: true)
        defer { server.stop() }
        let list = try await Client.call("GET", server.baseURL + "/v1/models")
        #expect(list.status == 200)
        #expect(list.text.contains("\"seed\""))
        let data = Array(repeating: "0.5", count: 100).joined(separator: ",")
        let predicted = try await Client.call(
            "POST", server.baseURL + "/v1/models/seed/predict", json: #"{"input": {"shape": [1, 20, 5], "data": [\#(data)]}}"#)
        #expect(predicted.status == 200)
        let output = predicted.json["output"] as! [String: Any]
        #expect(output["shape"] as! [Int] == [1, 20, 10])
        // A lean answer: the model's name and version, its description only when asked for.
        #expect(Set(predicted.json.keys) == ["output", "model_name", "model_version", "timing_ms"], "\(predicted.json.keys)")
        #expect(predicted.json["model_name"] as? String == "seed" && predicted.json["model_version"] as? Int == 1)
        #expect(predicted.headers["x-request-id"]?.isEmpty == false)
        let described = try await Client.call(
            "POST", server.baseURL + "/v1/models/seed/predict",
            json: #"{"input": {"shape": [1, 20, 5], "data": [\#(data)]}, "include_model": true}"#)
        let model = described.json["model"] as! [String: Any]
        #expect((model["params"] as! [String: Any])["total"] as! Int == 60)
        let wrong = try await Client.call(
            "POST", server.baseURL + "/v1/models/seed/predict", json: #"{"input": [[1, 2, 3, 4, 5]], "include_model": 1}"#)
        #expect(wrong.status == 400 && wrong.text.contains("include_model"), "\(wrong.text)")
    }

    /// The body says what it is: `curl -d` (a form content type) and Python's urllib work on
    /// every `/v1` route as on `/v2`, over real HTTP (before: 415 on `/v1`).
    @Test func curlAndURLLibWorkOnEveryV1Route() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let model = #"{"layer": {"units": 2, "kernel": [[1, 0], [0, 1], [1, 1]], "bias": [0, 0.5]}}"#
        for (method, path, body, status) in [
            ("PUT", "/v1/models/tiny", model, "201"),
            ("POST", "/v1/models/tiny/predict", #"{"input": [[1, 2, 3]]}"#, "200"),
            ("POST", "/v1/models/tiny/versions/1/predict", #"{"input": [[1, 2, 3]]}"#, "200"),
            ("POST", "/v1/models/tiny:predict", #"{"instances": [[1, 2, 3]]}"#, "200"),
            ("POST", "/v1/dense", #"{"layer": {"units": 2, "seed": 1}, "input": [[1, 2, 3]]}"#, "200"),
        ] {
            let result = try TFServingOverHTTPTests.curl(["-X", method, "-d", body, server.baseURL + path])
            #expect(result.status == status, "curl -d \(method) \(path): \(result)")
        }
        // Python's urllib with data= sends Content-Type: application/x-www-form-urlencoded.
        let script = """
            import json, sys, urllib.request
            request = urllib.request.Request(sys.argv[1], data=json.dumps({"input": [[1, 2, 3]]}).encode())
            answer = json.load(urllib.request.urlopen(request))
            print(request.unredirected_hdrs.get("Content-type"))
            print(answer["output"]["data"])
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, server.baseURL + "/v1/models/tiny/predict"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output == "application/x-www-form-urlencoded\n[[4.0, 5.5]]\n", "\(output)")
    }

    @Test func requestIdIsEchoed() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let result = try await Client.call("GET", server.baseURL + "/healthz", headers: ["X-Request-Id": "abc-123"])
        #expect(result.headers["x-request-id"] == "abc-123")
    }

    @Test func registeredModelsSurviveARestart() async throws {
        let dir = ServerProcess.temporaryDirectory()
        let body =
            #"{"layers": [{"units": 3, "activation": "tanh", "seed": 7}, {"units": 2, "activation": "softmax", "seed": 8}], "input_shape": [null, 4]}"#
        let input = #"{"input": [[0.1, -0.2, 0.3, 0.4], [1, 2, 3, 4]]}"#
        var first: HTTPResult
        do {
            let server = try ServerProcess(modelDir: dir)
            let put = try await Client.call("PUT", server.baseURL + "/v1/models/demo", json: body)
            #expect(put.status == 201)
            #expect(put.json["version"] as? Int == 1)
            let put2 = try await Client.call(
                "PUT", server.baseURL + "/v1/models/demo", json: body.replacingOccurrences(of: "\"seed\": 7", with: "\"seed\": 9"))
            #expect(put2.json["version"] as? Int == 2)
            first = try await Client.call("POST", server.baseURL + "/v1/models/demo/versions/1/predict", json: input)
            #expect(first.status == 200)
            #expect(server.stop() == 0)
        }
        let server = try ServerProcess(modelDir: dir)
        defer { server.stop() }
        let meta = try await Client.call("GET", server.baseURL + "/v1/models/demo")
        #expect(meta.json["versions"] as? [Int] == [1, 2])
        let again = try await Client.call("POST", server.baseURL + "/v1/models/demo/versions/1/predict", json: input)
        #expect(
            (again.json["output"] as! [String: Any])["data"] as! [[Double]] == (first.json["output"] as! [String: Any])["data"]
                as! [[Double]])
        let deleted = try await Client.call("DELETE", server.baseURL + "/v1/models/demo")
        #expect(deleted.status == 200)
        let gone = try await Client.call("GET", server.baseURL + "/v1/models/demo")
        #expect(gone.status == 404)
        #expect(gone.json["code"] as? String == "model_not_found")
    }

    @Test func adminRoutesNeedTheTokenWhenConfigured() async throws {
        let server = try ServerProcess(arguments: ["--admin-token", "s3cret"])
        defer { server.stop() }
        let body = Data(#"{"layer": {"units": 2}, "input_shape": [null, 3]}"#.utf8)
        let none = try await Client.call("PUT", server.baseURL + "/v1/models/m", body: body)
        #expect(none.status == 401)
        let wrong = try await Client.call(
            "PUT", server.baseURL + "/v1/models/m", body: body,
            headers: ["Authorization": "Bearer nope", "Content-Type": "application/json"])
        #expect(wrong.status == 401)
        let right = try await Client.call(
            "PUT", server.baseURL + "/v1/models/m", body: body,
            headers: ["Authorization": "Bearer s3cret", "Content-Type": "application/json"])
        #expect(right.status == 201)
    }

    @Test func corruptModelFileIsReportedAndSkipped() async throws {
        let dir = ServerProcess.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/broken", withIntermediateDirectories: true)
        try Data("{\"format\": \"denseserve-model\", \"trunc".utf8).write(to: URL(fileURLWithPath: dir + "/broken/v1.json"))
        let server = try ServerProcess(modelDir: dir)
        defer { server.stop() }
        let put = try await Client.call(
            "PUT", server.baseURL + "/v1/models/ok", json: #"{"layer": {"units": 2}, "input_shape": [null, 3]}"#)
        #expect(put.status == 201)
        #expect(FileManager.default.fileExists(atPath: dir + "/broken/v1.json"), "a corrupt file is never deleted")
        let list = try await Client.call("GET", server.baseURL + "/v1/models")
        #expect(!list.text.contains("broken"))
    }

    @Test func invalidConfigurationExits64WithOneSentence() throws {
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = ["serve", "--port", "70000"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 64)
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("port must be between 0 and 65535"))
        #expect(text.split(separator: "\n").count == 1)
    }

    @Test func printConfigShowsPrecedenceAndMasksSecrets() throws {
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = ["serve", "--print-config", "--workers", "3", "--set", "queue_depth=7"]
        var env = ProcessInfo.processInfo.environment
        env["DENSE_WORKERS"] = "5"
        env["DENSE_PORT"] = "9999"
        env["DENSE_ADMIN_TOKEN"] = "hunter2"
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0)
        #expect(text.contains("workers = 3"))  // flag beats env
        #expect(text.contains("port = 9999"))  // env beats file/default
        #expect(text.contains("queue_depth = 7"))
        #expect(text.contains("admin_token = ****"))
        #expect(!text.contains("hunter2"))
    }

    @Test func sigtermDrainsWithoutFailingAcceptedRequests() async throws {
        let server = try ServerProcess(arguments: ["--set", "drain_grace_s=0.5"])
        let body =
            #"{"layer": {"units": 64, "activation": "gelu"}, "input": {"shape": [64, 64], "data": [\#(Array(repeating: "0.25", count: 4096).joined(separator: ","))]}}"#
        let url = server.baseURL + "/v1/dense"
        let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<8 {
                group.addTask {
                    var ok = 0
                    var accepted = true
                    for _ in 0..<40 {
                        do {
                            let result = try await Client.call("POST", url, json: body)
                            if result.status == 200 { ok += 1 } else if result.status == 503 { continue } else { accepted = false }
                        } catch {
                            break  // connection refused once the listener is closed: not an accepted request
                        }
                    }
                    return (ok, accepted)
                }
                if index == 3 {
                    try await Task.sleep(for: .milliseconds(200))
                    kill(server.process.processIdentifier, SIGTERM)
                }
            }
            var all: [(Int, Bool)] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0)
        #expect(outcomes.allSatisfy { $0.1 }, "every answered request succeeded")
        #expect(outcomes.reduce(0) { $0 + $1.0 } > 0)
    }
}

/// `config/server.json` and the README's table are generated from the code; keep them in sync.
@Suite struct ConfigurationDocsTests {
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func configFileMatchesTheBuiltInDefaults() throws {
        let generated = try Self.run(["serve", "--print-default-config-file"])
        let shipped = try String(contentsOf: Repository.root.appendingPathComponent("config/server.json"), encoding: .utf8)
        #expect(
            generated.trimmingCharacters(in: .whitespacesAndNewlines) == shipped.trimmingCharacters(in: .whitespacesAndNewlines),
            "regenerate with: .build/debug/dense-server serve --print-default-config-file > config/server.json")
    }

    @Test func readmeTableMatchesTheCode() throws {
        let table = try Self.run(["serve", "--print-config-table"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let readme = try String(contentsOf: Repository.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("<!-- config-table:begin -->\n" + table + "\n<!-- config-table:end -->"))
    }
}
