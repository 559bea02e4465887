import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// kill -9 while models are being written: the store stays readable and every
/// acknowledged (201) model is there with its exact weights.
@Suite struct CrashConsistencyTests {
    @Test func killNineDuringPutsLosesNothingAcknowledged() async throws {
        let dir = ServerProcess.temporaryDirectory()
        var acknowledged: [String: [Double]] = [:]  // "name@version" → kernel values
        let rounds = Int(ProcessInfo.processInfo.environment["DENSE_CRASH_ROUNDS"] ?? "4")!
        for round in 0..<rounds {
            let server = try ServerProcess(modelDir: dir)
            let url = server.baseURL
            // A stream of PUTs; kill -9 after a random delay while they are in flight.
            let writer = Task { () -> [(String, Int, [Double])] in
                var done: [(String, Int, [Double])] = []
                for index in 0..<200 {
                    let name = "m\(index % 5)"
                    let kernel = (0..<(64 * 32)).map { _ in Double(Float(Double.random(in: -1...1))) }
                    let kernelText = "{\"shape\": [64, 32], \"data\": [" + kernel.map { String($0) }.joined(separator: ",") + "]}"
                    guard let result = try? await Client.call("PUT", url + "/v1/models/\(name)", json: #"{"layer": {"units": 32, "use_bias": false, "kernel": \#(kernelText)}}"#) else { break }
                    if result.status == 201, let version = result.json["version"] as? Int { done.append((name, version, kernel)) }
                }
                return done
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 50...400)))
            server.kill9()
            for (name, version, kernel) in await writer.value { acknowledged["\(name)@\(version)"] = kernel }
            _ = round
        }
        // Restart: every acknowledged version must load with its exact weights.
        let server = try ServerProcess(modelDir: dir)
        defer { server.stop() }
        #expect(!server.stderr.contains("corrupt"))
        for (key, kernel) in acknowledged.shuffled().prefix(40) {
            let parts = key.split(separator: "@")
            // One-hot inputs read the kernel back row by row: row r of the output is kernel row r.
            let identity = (0..<64).map { row in "[" + (0..<64).map { $0 == row ? "1" : "0" }.joined(separator: ",") + "]" }.joined(separator: ",")
            let result = try await Client.call("POST", server.baseURL + "/v1/models/\(parts[0])/versions/\(parts[1])/predict", json: #"{"input": [\#(identity)], "output_format": "flat"}"#)
            #expect(result.status == 200, "\(key): \(result.text.prefix(200))")
            let data = (result.json["output"] as? [String: Any])?["data"] as? [Double] ?? []
            // Shortest float32 text parses to the same float32, not to the same Double.
            if data.map(Float.init) != kernel.map(Float.init) {
                let versions = try await Client.call("GET", server.baseURL + "/v1/models/\(parts[0])")
                Issue.record("\(key) weights differ (first got \(data.first ?? .nan), want \(kernel[0])); dir \(dir); versions \(versions.json["versions"] ?? "?"); acked \(acknowledged.keys.filter { $0.hasPrefix(parts[0] + "@") }.sorted())")
            }
        }
        #expect(acknowledged.count > 0)
    }
}
