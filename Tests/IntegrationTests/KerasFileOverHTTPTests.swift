import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The README's two-line flow against the real binary: `model.save("m.keras")`, then
/// `curl -T m.keras …/v1/models/m`; and the same files registered from the seed folder at start.
@Suite struct KerasFileOverHTTPTests {
    static let fixtures = Repository.root.appendingPathComponent("Tests/KerasFileTests/Fixtures")

    @Test func curlUploadOfAKerasFile() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        for file in ["mlp.keras", "keras2-mlp.h5"] {
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = [
                "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T", Self.fixtures.appendingPathComponent(file).path,
                server.baseURL + "/v1/models/m",
            ]
            let out = Pipe()
            curl.standardOutput = out
            try curl.run()
            let status = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            curl.waitUntilExit()
            #expect(status == "201", "\(file)")
        }
        let predict = try await Client.call("POST", server.baseURL + "/v1/models/m/predict", json: #"{"input": [[0.5, -0.5, 0.25, 1]]}"#)
        #expect(predict.status == 200, "\(predict.text)")
        let info = try await Client.call("GET", server.baseURL + "/v1/models/m")
        #expect(info.json["versions"] as? [Int] == [1, 2])
        // A broken file is a 4xx naming the file's fault, and the server serves on.
        let broken = try await Client.call(
            "PUT", server.baseURL + "/v1/models/b", body: Data([0x50, 0x4B, 0x03, 0x04, 1, 2, 3]), headers: [:])
        #expect(broken.status == 400 && broken.json["code"] as? String == "invalid_model_file", "\(broken.text)")
        #expect(try await Client.call("GET", server.baseURL + "/v2/health/live").status == 200)
    }

    @Test func seedFolderRegistersKerasFilesByName() async throws {
        let folder = NSTemporaryDirectory() + "denseserve-seed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (source, target) in [
            ("batchnorm.keras", "bn.keras"), ("keras2-dropout.h5", "drop.h5"), ("mlp.weights.h5", "skipped.weights.h5"),
        ] {
            try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent(source).path, toPath: folder + "/" + target)
        }
        let server = try ServerProcess(arguments: ["--set", "seed_model_dir=\(folder)"], seedModels: true)
        defer { server.stop() }
        let list = try await Client.call("GET", server.baseURL + "/v1/models")
        let names = ((list.json["models"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }.sorted()
        #expect(names == ["bn", "drop"], "\(list.text)")
    }

    /// Runs the binary with `arguments` and `input` on standard input: (exit status, stdout).
    static func run(_ arguments: [String], input: String = "") throws -> (Int32, String) {
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let text = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func inspectAndPredictAModelFileOffline() throws {
        let file = Self.fixtures.appendingPathComponent("batchnorm.keras").path
        let (status, text) = try Self.run(["inspect", file])
        #expect(status == 0)
        #expect(
            text.contains("BatchNormalization") && text.contains("Weights: sha256:") && text.contains("Non-trainable params: 16"), "\(text)"
        )
        let (predictStatus, answer) = try Self.run(["predict", "--model", file, "-"], input: #"{"input": [[1, 2, 3, 4]]}"#)
        #expect(predictStatus == 0 && answer.contains(#""shape":[1,3]"#), "\(answer)")
        let (refused, error) = try Self.run(["inspect", Self.fixtures.appendingPathComponent("reject-lambda.keras").path])
        #expect(refused == 1 && error.contains("unsupported_layer") && error.contains("Lambda"), "\(error)")
    }
}
