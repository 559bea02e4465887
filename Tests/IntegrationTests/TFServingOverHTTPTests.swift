import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// TF Serving's REST API against the real binary: a client that knows only TF Serving (curl
/// `-d` as its documentation writes it, a form content type and all) gets TF Serving's answers,
/// with the numbers of the native predict route.
@Suite struct TFServingOverHTTPTests {
    @Test func tfServingClientsGetTheNativeNumbers() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let put = try await Client.call(
            "PUT", server.baseURL + "/v1/models/mlp",
            json:
                #"{"layers": [{"units": 16, "activation": "relu", "seed": 1}, {"units": 3, "activation": "softmax", "seed": 2}], "input_shape": [null, 4]}"#
        )
        #expect(put.status == 201)
        let rows = "[[0.1, -0.2, 0.3, 0.4], [1, 2, 3, 4], [-1.5, 0.25, 7, 0]]"
        let native = try await Client.call("POST", server.baseURL + "/v1/models/mlp/predict", json: #"{"input": \#(rows)}"#)
        let expected = try #require((native.json["output"] as? [String: Any])?["data"] as? [[Double]])

        // Exactly the documentation's curl line (no Content-Type: curl sends a form type).
        let curl = try Self.curl(["-d", #"{"instances": \#(rows)}"#, "-X", "POST", server.baseURL + "/v1/models/mlp:predict"])
        #expect(curl.status == "200", "\(curl)")
        let predictions = try #require(
            (try JSONSerialization.jsonObject(with: Data(curl.body.utf8)) as? [String: Any])?["predictions"] as? [[Double]], "\(curl)")
        #expect(predictions.map { $0.map(\.bitPattern) } == expected.map { $0.map(\.bitPattern) })

        let columnar = try await Client.call(
            "POST", server.baseURL + "/v1/models/mlp/versions/1:predict", body: Data(#"{"inputs": {"input": \#(rows)}}"#.utf8),
            headers: [:])
        #expect(columnar.status == 200)
        #expect((columnar.json["outputs"] as? [[Double]])?.map { $0.map(\.bitPattern) } == expected.map { $0.map(\.bitPattern) })

        let metadata = try await Client.call("GET", server.baseURL + "/v1/models/mlp/metadata")
        #expect(metadata.status == 200)
        #expect(metadata.text.contains(#""serving_default""#) && metadata.text.contains(#""DT_FLOAT""#), "\(metadata.text)")
        #expect((metadata.json["model_spec"] as? [String: Any])?["version"] as? String == "1")

        // The documentation's 404, and a wrong signature.
        let missing = try await Client.call("POST", server.baseURL + "/v1/models/half:predict", json: #"{"instances": [[1.0], [5.0]]}"#)
        #expect(missing.status == 404 && missing.json["code"] as? String == "model_not_found")
        #expect((missing.json["error"] as? String)?.isEmpty == false)
        let signature = try await Client.call(
            "POST", server.baseURL + "/v1/models/mlp:predict", json: #"{"signature_name": "classify", "instances": \#(rows)}"#)
        #expect(signature.status == 400 && signature.json["code"] as? String == "invalid_request")
        let ragged = try await Client.call(
            "POST", server.baseURL + "/v1/models/mlp:predict", json: #"{"instances": [[1, 2, 3, 4], [1, 2]]}"#)
        #expect(ragged.status == 422 && ragged.json["code"] as? String == "ragged_tensor")
    }

    /// Runs curl; its last output line is the status (`-w`), the rest the body.
    static func curl(_ arguments: [String]) throws -> (status: String, body: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "-w", "\n%{http_code}"] + arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (String(lines.last ?? ""), lines.dropLast().joined(separator: "\n"))
    }
}
