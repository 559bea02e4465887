import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The Keras corpus through the running server: `POST /v1/dense` for every case.
@Suite struct CorpusOverHTTPTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("ConformanceTests/keras-dense")

    static var files: [String] {
        let index = try! JSONSerialization.jsonObject(with: Data(contentsOf: corpus.appendingPathComponent("index.json"))) as! [String: Any]
        return (index["cases"] as! [[String: Any]]).map { $0["file"] as! String }
    }

    static func flatten(_ value: Any) -> [Double] {
        if let list = value as? [Any] { return list.flatMap(flatten) }
        return [(value as! NSNumber).doubleValue]
    }

    @Test(arguments: files)
    func caseMatchesKeras(file: String) async throws {
        let testCase = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.corpus.appendingPathComponent(file))) as! [String: Any]
        let body = try JSONSerialization.data(withJSONObject: ["layers": testCase["layers"]!, "input": testCase["input"]!])
        let server = try ServerProcess()
        defer { server.stop() }
        let result = try await Client.call("POST", server.baseURL + "/v1/dense", body: body)
        #expect(result.status == 200, "\(result.text)")
        let expected = testCase["expected"] as! [String: Any]
        let output = result.json["output"] as! [String: Any]
        #expect(output["shape"] as! [Int] == expected["shape"] as! [Int])
        let tolerance = testCase["tolerance"] as! [String: Double]
        let got = Self.flatten(output["data"]!)
        let want = Self.flatten(expected["data"]!)
        #expect(got.count == want.count)
        let mismatches = zip(got, want).filter { abs($0 - $1) > tolerance["atol"]! + tolerance["rtol"]! * abs($1) }
        #expect(mismatches.isEmpty, "\(file): \(mismatches.prefix(3))")
        let model = result.json["model"] as! [String: Any]
        #expect((model["params"] as! [String: Any])["total"] as! Int == expected["params_total"] as! Int)
    }
}
