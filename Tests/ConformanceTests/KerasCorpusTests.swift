import DenseKernel
import Foundation
import InferenceService
import TensorJSON
import TestSupport
import Testing

/// One case of the Keras conformance corpus (`keras-dense/`, produced by Keras 3.15.1).
struct CorpusCase: CustomTestStringConvertible, Sendable {
    let file: String
    let raw: [String: any Sendable]
    var testDescription: String { file }

    static func load(_ file: String) throws -> CorpusCase {
        let url = Bundle.module.url(forResource: "keras-dense/\(file)", withExtension: nil)!
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return CorpusCase(file: file, raw: object.mapValues { $0 as! (any Sendable) })
    }

    static var all: [String] {
        let url = Bundle.module.url(forResource: "keras-dense/index.json", withExtension: nil)!
        let index = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (index["cases"] as! [[String: Any]]).map { $0["file"] as! String }
    }

    var expected: [String: Any] { raw["expected"] as! [String: Any] }
    var tolerance: (rtol: Double, atol: Double) {
        let t = raw["tolerance"] as! [String: Any]
        return ((t["rtol"] as! NSNumber).doubleValue, (t["atol"] as! NSNumber).doubleValue)
    }

    /// The native request body: `{"layers": […], "input": {shape, dtype, data}}`.
    func nativeBody() throws -> [UInt8] {
        try body(["layers": raw["layers"]!, "input": raw["input"]!])
    }

    /// The native body with the input untyped: `{"shape", "data"}` without `"dtype"`, whose
    /// numbers are exact (each layer rounds them once to its own dtype).
    func untypedNativeBody() throws -> [UInt8] {
        var input = raw["input"] as! [String: Any]
        input["dtype"] = nil
        return try body(["layers": raw["layers"]!, "input": input])
    }

    /// The Keras request body: `{"model": to_json(), "weights": get_weights(), "input": …}`.
    func kerasBody() throws -> [UInt8] {
        var weights: [Any] = []
        for layer in raw["layers"] as! [[String: Any]] {
            weights.append(layer["kernel"]!)
            if layer["use_bias"] as! Bool { weights.append(layer["bias"]!) }
        }
        return try body(["model": raw["keras_config"]!, "weights": weights, "input": raw["input"]!])
    }

    private func body(_ object: [String: Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object))
    }
}

func symbolic(_ value: Any) -> [Int?] {
    (value as! [Any]).map { ($0 as? NSNumber)?.intValue }
}

/// Checks a `/v1/dense` response body against a corpus case.
func checkResponse(_ response: [UInt8], against testCase: CorpusCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let object = try JSONSerialization.jsonObject(with: Data(response), options: [.fragmentsAllowed]) as! [String: Any]
    let output = object["output"] as! [String: Any]
    let expected = testCase.expected
    let expectedShape = (expected["shape"] as! [NSNumber]).map(\.intValue)
    #expect((output["shape"] as! [NSNumber]).map(\.intValue) == expectedShape, sourceLocation: sourceLocation)
    #expect(output["dtype"] as? String == expected["dtype"] as? String, sourceLocation: sourceLocation)
    let got = flattenNumbers(output["data"]!)
    let want = flattenNumbers(expected["data"]!)
    #expect(got.count == want.count, sourceLocation: sourceLocation)
    let (rtol, atol) = testCase.tolerance
    var worst = 0.0
    for (g, w) in zip(got, want) {
        let excess = abs(g - w) - (atol + rtol * abs(w))
        worst = max(worst, excess)
        if !isClose(g, w, rtol: rtol, atol: atol) && !(g.isNaN && w.isNaN) {
            Issue.record("\(testCase.file): got \(g), expected \(w)", sourceLocation: sourceLocation)
            break
        }
    }
    let model = object["model"] as! [String: Any]
    let params = model["params"] as! [String: Any]
    #expect((params["total"] as! NSNumber).intValue == (expected["params_total"] as! NSNumber).intValue, sourceLocation: sourceLocation)
    let layers = model["layers"] as! [[String: Any]]
    #expect(
        layers.map { ($0["params"] as! NSNumber).intValue } == (expected["params_per_layer"] as! [NSNumber]).map(\.intValue),
        sourceLocation: sourceLocation)
    #expect(symbolic(model["output_shape"]!) == symbolic(expected["output_shape_symbolic"]!), sourceLocation: sourceLocation)
}

@Suite struct KerasCorpusTests {
    @Test func corpusHasAllCases() {
        #expect(CorpusCase.all.count == 62)
    }

    @Test(arguments: CorpusCase.all)
    func nativeForm(file: String) throws {
        let testCase = try CorpusCase.load(file)
        let response = try DenseService.respond(toOneShot: testCase.nativeBody(), limits: ServiceLimits()).get()
        try checkResponse(response, against: testCase)
    }

    @Test(arguments: CorpusCase.all)
    func untypedFlatInput(file: String) throws {
        let testCase = try CorpusCase.load(file)
        let response = try DenseService.respond(toOneShot: testCase.untypedNativeBody(), limits: ServiceLimits()).get()
        try checkResponse(response, against: testCase)
    }

    @Test(arguments: CorpusCase.all)
    func kerasModelForm(file: String) throws {
        let testCase = try CorpusCase.load(file)
        let response = try DenseService.respond(toOneShot: testCase.kerasBody(), limits: ServiceLimits()).get()
        try checkResponse(response, against: testCase)
    }
}
