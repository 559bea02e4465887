import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// kill -9 at random points of a stream of model PUTs and DELETEs, `DENSE_CRASH_ROUNDS`
/// times (default 4; `scripts/robustness.sh --long` runs 50). After every kill the server
/// restarts on the same directory, and then, for each model name:
/// - every PUT it acknowledged (201) since the last acknowledged DELETE is there, under the
///   version it answered, with exactly the weights sent;
/// - nothing else is there, except what the one request in flight at the kill may have done
///   (its PUT landed, or its DELETE removed every version);
/// - a model whose DELETE was acknowledged stays deleted.
@Suite struct CrashConsistencyTests {
    /// A stored version as the test knows it: its number and its kernel ([16, 8]).
    struct Version: Hashable {
        var version: Int
        var kernel: [Float]
    }

    enum Op {
        case put(Version?, kernel: [Float])  // nil version: not acknowledged
        case delete(acknowledged: Bool)
    }

    static let names = ["m0", "m1", "m2", "m3", "m4"]
    static let inputDim = 16
    static let units = 8

    static func randomKernel() -> [Float] { (0..<(inputDim * units)).map { _ in Float.random(in: -1...1) } }

    static func putBody(_ kernel: [Float]) -> String {
        let data = kernel.map { "\($0)" }.joined(separator: ",")
        return #"{"layer": {"units": \#(units), "use_bias": false, "kernel": {"shape": [\#(inputDim), \#(units)], "data": [\#(data)]}}}"#
    }

    /// What the server holds for `name`: every version with its kernel (read back through
    /// one-hot inputs: row r of the output is kernel row r).
    static func observe(_ name: String, baseURL: String) async throws -> Set<Version> {
        let metadata = try await Client.call("GET", baseURL + "/v1/models/\(name)")
        if metadata.status == 404 { return [] }
        #expect(metadata.status == 200, "\(name): \(metadata.text.prefix(200))")
        let identity = (0..<inputDim).map { row in "[" + (0..<inputDim).map { $0 == row ? "1" : "0" }.joined(separator: ",") + "]" }
            .joined(separator: ",")
        var found: Set<Version> = []
        for version in metadata.json["versions"] as? [Int] ?? [] {
            let result = try await Client.call(
                "POST", baseURL + "/v1/models/\(name)/versions/\(version)/predict",
                json: #"{"input": [\#(identity)], "output_format": "b64"}"#)
            #expect(result.status == 200, "\(name) v\(version): \(result.text.prefix(200))")
            let b64 = (result.json["output"] as? [String: Any])?["b64"] as? String ?? ""
            let bytes = Data(base64Encoded: b64) ?? Data()
            let kernel = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            found.insert(Version(version: version, kernel: kernel))
        }
        return found
    }

    @Test func killNineDuringPutsAndDeletesLosesNothingAcknowledged() async throws {
        let dir = ServerProcess.temporaryDirectory()
        let rounds = Int(ProcessInfo.processInfo.environment["DENSE_CRASH_ROUNDS"] ?? "4") ?? 4
        // The state each name had when the last round started (verified then).
        var known: [String: Set<Version>] = Dictionary(uniqueKeysWithValues: Self.names.map { ($0, []) })
        var totals = (puts: 0, deletes: 0, unacknowledged: 0, violations: 0)
        var server = try ServerProcess(modelDir: dir)
        for round in 0..<rounds {
            let url = server.baseURL
            // Ops of this round per name, in order.
            let writer = Task { () -> [(String, Op)] in
                var ops: [(String, Op)] = []
                for _ in 0..<400 {
                    let name = Self.names.randomElement()!
                    if Double.random(in: 0..<1) < 0.7 {
                        let kernel = Self.randomKernel()
                        guard let result = try? await Client.call("PUT", url + "/v1/models/\(name)", json: Self.putBody(kernel)) else {
                            ops.append((name, .put(nil, kernel: kernel)))
                            break
                        }
                        #expect(result.status == 201, "PUT \(name): \(result.text.prefix(200))")
                        ops.append(
                            (name, .put((result.json["version"] as? Int).map { Version(version: $0, kernel: kernel) }, kernel: kernel)))
                    } else {
                        guard let result = try? await Client.call("DELETE", url + "/v1/models/\(name)") else {
                            ops.append((name, .delete(acknowledged: false)))
                            break
                        }
                        #expect(result.status == 200 || result.status == 404, "DELETE \(name): \(result.status)")
                        ops.append((name, .delete(acknowledged: true)))
                    }
                }
                return ops
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 30...500)))
            server.kill9()
            let ops = await writer.value

            // Restart and compare, name by name.
            let restarted = try ServerProcess(modelDir: dir)
            server = restarted
            #expect(!restarted.stderr.contains("corrupt"), "round \(round): \(restarted.stderr.prefix(500))")
            for name in Self.names {
                var required = known[name]!
                var inFlight: Op? = nil
                for (opName, op) in ops where opName == name {
                    switch op {
                    case .put(let version?, _):
                        required.insert(version)
                        totals.puts += 1
                    case .delete(acknowledged: true):
                        required = []
                        totals.deletes += 1
                    case .put(nil, _), .delete(acknowledged: false):
                        inFlight = op
                        totals.unacknowledged += 1
                    }
                }
                let observed = try await Self.observe(name, baseURL: restarted.baseURL)
                var legal = observed == required
                switch inFlight {
                case .put(_, let kernel)?:
                    // The PUT in flight may have landed, as one more version with its weights.
                    let extra = observed.subtracting(required)
                    legal = legal || (required.isSubset(of: observed) && extra.count == 1 && extra.first!.kernel == kernel)
                case .delete?:
                    legal = legal || observed.isEmpty
                case nil:
                    break
                }
                if !legal {
                    totals.violations += 1
                    let missing = required.subtracting(observed).map(\.version).sorted()
                    let unexpected = observed.subtracting(required).map(\.version).sorted()
                    Issue.record(
                        "round \(round), \(name): missing acknowledged versions \(missing), unexpected versions \(unexpected) (in flight: \(String(describing: inFlight))); dir \(dir)"
                    )
                }
                known[name] = observed
            }
        }
        server.stop()
        #expect(totals.puts > 0)
        print(
            "crash consistency: \(rounds) kill -9 rounds, \(totals.puts) acknowledged PUTs, \(totals.deletes) acknowledged DELETEs, \(totals.unacknowledged) in flight at a kill, \(totals.violations) violations"
        )
    }
}
