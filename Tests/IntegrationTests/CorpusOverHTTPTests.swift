import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The Keras corpus through the running server: `POST /v1/dense` for every case.
@Suite struct CorpusOverHTTPTests {
    static let corpus = Repository.root.appendingPathComponent("Tests/ConformanceTests/keras-dense")

    static var files: [String] {
        let index = try! JSONSerialization.jsonObject(with: Data(contentsOf: corpus.appendingPathComponent("index.json"))) as! [String: Any]
        return (index["cases"] as! [[String: Any]]).map { $0["file"] as! String }
    }

    /// Each case through `POST /v1/dense` as the corpus writes it, then registered and called
    /// through `predict` with the input untyped (`{"shape", "data"}` without `"dtype"`: exact
    /// JSON numbers, rounded once by each layer, so float64 cases keep float64).
    @Test(arguments: files)
    func caseMatchesKeras(file: String) async throws {
        let testCase = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.corpus.appendingPathComponent(file))) as! [String: Any]
        let body = try JSONSerialization.data(withJSONObject: ["layers": testCase["layers"]!, "input": testCase["input"]!])
        let server = try ServerProcess()
        defer { server.stop() }
        let result = try await Client.call("POST", server.baseURL + "/v1/dense", body: body)
        #expect(result.status == 200, "\(result.text)")
        Self.check(result.json, against: testCase, file: file, route: "/v1/dense")

        let put = try await Client.call(
            "PUT", server.baseURL + "/v1/models/corpus", body: JSONSerialization.data(withJSONObject: ["layers": testCase["layers"]!]))
        #expect(put.status == 201, "\(put.text)")
        var untyped = testCase["input"] as! [String: Any]
        untyped["dtype"] = nil
        let predict = try await Client.call(
            "POST", server.baseURL + "/v1/models/corpus/predict",
            body: JSONSerialization.data(withJSONObject: ["input": untyped, "include_model": true]))
        #expect(predict.status == 200, "\(predict.text)")
        Self.check(predict.json, against: testCase, file: file, route: "predict, untyped input")
    }

    static func check(_ json: [String: Any], against testCase: [String: Any], file: String, route: String) {
        let expected = testCase["expected"] as! [String: Any]
        guard let output = json["output"] as? [String: Any] else {
            Issue.record("\(file) via \(route): no output in \(json)")
            return
        }
        #expect(output["shape"] as? [Int] == expected["shape"] as? [Int], "\(file) via \(route)")
        let tolerance = testCase["tolerance"] as! [String: Double]
        let got = flattenNumbers(output["data"]!)
        let want = flattenNumbers(expected["data"]!)
        #expect(got.count == want.count, "\(file) via \(route)")
        let mismatches = zip(got, want).filter { !isClose($0, $1, rtol: tolerance["rtol"]!, atol: tolerance["atol"]!) }
        #expect(mismatches.isEmpty, "\(file) via \(route): \(mismatches.prefix(3))")
        let model = json["model"] as! [String: Any]
        #expect((model["params"] as! [String: Any])["total"] as? Int == expected["params_total"] as? Int, "\(file) via \(route)")
    }
}
