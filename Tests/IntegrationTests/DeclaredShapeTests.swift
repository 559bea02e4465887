import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Issue 11, finding 1 and 8: a declared input shape (`input_shape`, Keras `batch_shape`,
/// `build_input_shape`) whose batch item exceeds the element limit, or with a dimension below
/// 1, is refused at PUT — it once answered 201 and then every `GET /v2/models/{name}/config`
/// (and every restart followed by one) killed the server with an arithmetic overflow.
@Suite struct DeclaredShapeTests {
    static let hugeShape = "[null, 4294967296, 4294967296, 1]"

    static func kerasModel(batchShape: String) -> String {
        #"{"model": {"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": \#(batchShape)}}, {"class_name": "Dense", "config": {"name": "d", "units": 1}}]}}, "weights": [[[1]], [0]]}"#
    }

    static func buildShapeModel(_ shape: String) -> String {
        #"{"model": {"class_name": "Sequential", "config": {"name": "s", "build_input_shape": \#(shape), "layers": [{"class_name": "Dense", "config": {"name": "d", "units": 1}}]}}, "weights": [[[1]], [0]]}"#
    }

    /// (label, PUT body, status, code)
    static let cases: [(String, String, Int, String)] = [
        (
            "input_shape beyond the element limit", #"{"layer": {"units": 1, "kernel": [[1]]}, "input_shape": \#(hugeShape)}"#, 422,
            "limit_exceeded"
        ),
        ("batch_shape beyond the element limit", kerasModel(batchShape: hugeShape), 422, "limit_exceeded"),
        ("build_input_shape beyond the element limit", buildShapeModel(hugeShape), 422, "limit_exceeded"),
        ("batch_shape with a negative dimension", kerasModel(batchShape: "[null, -5, 1]"), 400, "invalid_field"),
        ("batch_shape with a zero dimension", kerasModel(batchShape: "[null, 0, 1]"), 400, "invalid_field"),
        ("batch_shape with a negative batch", kerasModel(batchShape: "[-3, 1]"), 400, "invalid_field"),
        ("build_input_shape with a zero dimension", buildShapeModel("[null, 0, 1]"), 400, "invalid_field"),
    ]

    @Test(arguments: cases.indices)
    func aBadDeclaredShapeIsRefusedAtPut(index: Int) async throws {
        let (label, body, status, code) = Self.cases[index]
        let server = try ServerProcess()
        defer { server.stop() }
        let put = try await Client.call("PUT", server.baseURL + "/v1/models/huge", json: body)
        #expect(put.status == status, "\(label): \(put.text)")
        #expect(put.json["code"] as? String == code, "\(label): \(put.text)")
        // Nothing was stored, and the server still answers.
        #expect(try await Client.call("GET", server.baseURL + "/v2/models/huge/config").status == 404, "\(label)")
        #expect(try await Client.call("GET", server.baseURL + "/v2/health/live").status == 200, "\(label)")
    }

    /// A model file that holds such a shape (a version-1 store file, written before the check
    /// existed) is skipped at start-up as invalid; the server starts and `/config` does not trap.
    @Test func aStoredModelWithAHugeShapeIsSkippedAtStartUp() async throws {
        let directory = ServerProcess.temporaryDirectory()
        func store(_ name: String, inputShape: String) throws {
            try FileManager.default.createDirectory(atPath: directory + "/\(name)", withIntermediateDirectories: true)
            let layer = #"{"name":"dense","units":1,"activation":"linear","use_bias":true,"dtype":"float32","kernel":[[1]],"bias":[0]}"#
            let file =
                #"{"format":"denseserve-model","format_version":1,"name":"\#(name)","version":1,"created_at":0,"#
                + #""model_name":"sequential","input_shape":\#(inputShape),"layers":[\#(layer)]}"#
            try file.write(toFile: directory + "/\(name)/v1.json", atomically: true, encoding: .utf8)
        }
        try store("huge", inputShape: "[null,4294967296,4294967296,1]")
        try store("small", inputShape: "[null,4,1]")  // the same file with a shape that fits loads
        let server = try ServerProcess(modelDir: directory)
        defer { server.stop() }
        let config = try await Client.call("GET", server.baseURL + "/v2/models/huge/config")
        #expect(config.status == 404, "\(config.text)")
        #expect(try await Client.call("GET", server.baseURL + "/v2/models/small/config").status == 200)
        #expect(try await Client.call("GET", server.baseURL + "/v2/health/live").status == 200)
    }
}
