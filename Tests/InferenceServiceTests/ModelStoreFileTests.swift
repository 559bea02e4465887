import Foundation
import Logging
import TensorJSON
import Testing

@testable import DenseKernel
@testable import InferenceService

/// The store's file (``ModelStoreFile``): its layout, the round trip, the version-1 files an
/// earlier release wrote (`Fixtures/store-v1`, written by `make_store_v1.py` before the binary
/// form existed), and hostile files: truncated, lying sizes, flipped bits.
@Suite struct ModelStoreFileTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/store-v1")
    static let limits = ServiceLimits()

    static func fixture(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(path)))
    }

    /// The fixture with every layer kind (Flatten, Dense, BatchNormalization, Reshape,
    /// LayerNormalization, LeakyReLU, ELU, ReLU, a mixed_float16 Dense, Activation, Dropout, a
    /// Dense without bias, Softmax), read from its version-1 file.
    static func chain() throws -> RegisteredModel {
        try ModelStoreFile.readVersion1(try fixture("chain/v1.json"), limits: limits)
    }

    static func read(_ bytes: [UInt8]) throws(ServiceError) -> RegisteredModel {
        try ModelStoreFile.read(StoreFileBytes(bytes: bytes), limits: limits)
    }

    static func weightBytes(_ model: DenseModel) -> [UInt8] {
        var bytes: [UInt8] = []
        model.forEachWeightChunk(chunkBytes: 64) { bytes += $0 }
        return bytes
    }

    static func littleEndian(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    /// Where the weights start in `file` (its header length, rounded up).
    static func weightsStart(_ file: [UInt8]) -> Int {
        ModelStoreFile.weightsOffset(headerBytes: Int(file[8..<16].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }))!
    }

    /// A file with its header replaced by `edit(header)` (lengths and padding redone).
    static func withHeader(_ file: [UInt8], _ edit: (String) -> String) -> [UInt8] {
        let count = Int(file[8..<16].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let header = Array(edit(String(decoding: file[16..<(16 + count)], as: UTF8.self)).utf8)
        let start = ModelStoreFile.weightsOffset(headerBytes: header.count)!
        return ModelStoreFile.magic + littleEndian(UInt64(header.count)) + header
            + [UInt8](repeating: 0, count: start - 16 - header.count) + file[weightsStart(file)...]
    }

    @Test func aFileIsItsHeaderThenTheWeightsThenTheirDigest() throws {
        let registered = try Self.chain()
        let (file, digest) = ModelStoreFile.bytes(registered)
        #expect(Array(file[0..<8]) == [0x89, 0x44, 0x53, 0x4D, 0x0D, 0x0A, 0x1A, 0x0A])
        let start = Self.weightsStart(file)
        #expect(start % 64 == 0)
        let weights = Self.weightBytes(registered.model)
        #expect(file.count == start + weights.count + 32)
        #expect(Array(file[start..<(start + weights.count)]) == weights, "the weights as get_weights() lists them, raw")
        var hasher = SHA256()
        weights.withUnsafeBytes { hasher.update($0) }
        let expected = hasher.finish()
        #expect(Array(file[(file.count - 32)...]) == expected)
        #expect(digest == WeightsDigest.hex(expected) && digest == WeightsDigest.of(registered.model))
        let headerCount = Int(file[8..<16].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let header = try JSONParser.parse(Array(file[16..<(16 + headerCount)]))
        #expect(header["format_version"]?.intValue == 2)
        #expect(header["weights_bytes"]?.intValue == weights.count)
        let table = header["weights"]?.arrayValue ?? []
        #expect(table.map { $0["shape"]?.numbersValue?.map { Int($0) } ?? [] } == registered.model.weightArrays.map(\.shape))
        #expect(table.map { $0["dtype"]?.stringValue } == registered.model.weightArrays.map(\.dtype.rawValue))
        #expect(Array(file[(16 + headerCount)..<start]).allSatisfy { $0 == 0 })
    }

    @Test func everyLayerKindRoundTripsBitForBit() throws {
        for registered in [try Self.chain(), try ModelStoreFile.readVersion1(try Self.fixture("native/v1.json"), limits: Self.limits)] {
            let (file, digest) = ModelStoreFile.bytes(registered)
            let loaded = try Self.read(file)
            #expect(loaded.model == registered.model, "layers, shapes and packed weights equal")
            #expect(loaded.model.name == registered.model.name && loaded.model.inputLayerName == registered.model.inputLayerName)
            #expect(loaded.name == registered.name && loaded.version == registered.version)
            #expect(loaded.createdAt.bitPattern == registered.createdAt.bitPattern)
            #expect(loaded.batching == registered.batching)
            #expect(loaded.weightsDigest == digest)
            #expect(try loaded.describe() == registered.describe())
        }
    }

    /// A float64 model, a Dense without bias, a glu, and a kernel wider than one panel and
    /// taller than one write piece.
    @Test func largeAndFloat64KernelsRoundTrip() throws {
        let a = try DenseLayer(
            config: LayerConfig(name: "wide", units: 70, activation: .glu, dtype: .float64), inputDim: 5000,
            kernel: .float64((0..<(5000 * 70)).map { Double($0 % 997) / 997 - 0.5 }), bias: .float64((0..<70).map { Double($0) }))
        let b = try DenseLayer(
            config: LayerConfig(name: "out", units: 3, useBias: false, dtype: .float64), inputDim: 35,
            kernel: .float64((0..<105).map { Double($0) / 7 }), bias: nil)
        let model = try DenseModel(name: "wide_model", layers: [.dense(a), .dense(b)])
        let registered = RegisteredModel(name: "wide", version: 3, model: model, createdAt: 12.5)
        let (file, digest) = ModelStoreFile.bytes(registered)
        #expect(file.count == Self.weightsStart(file) + (5000 * 70 + 70 + 105) * 8 + 32)
        let loaded = try Self.read(file)
        #expect(loaded.model == model)
        #expect(digest == WeightsDigest.of(model))
    }

    /// The files an earlier release wrote (`v1.json`: base64 weights) load as they did: the
    /// same weights digest, answers and metadata; a new PUT beside them writes `v2.model`, and
    /// after a restart both versions answer.
    @Test(arguments: ["chain", "native"]) func version1FilesFromAnEarlierReleaseStillLoad(_ name: String) throws {
        let expected = try JSONSerialization.jsonObject(with: Data(try Self.fixture("expected.json"))) as? [String: Any]
        let want = try #require(expected?[name] as? [String: Any])
        let harness = try APIHarness()
        try FileManager.default.createDirectory(atPath: harness.directory + "/\(name)", withIntermediateDirectories: true)
        try Data(try Self.fixture("\(name)/v1.json")).write(to: URL(fileURLWithPath: harness.directory + "/\(name)/v1.json"))
        func check(_ api: APIHarness, version: Int) throws {
            let registered = try api.api.store.get(name: name, version: version)
            let metadata =
                try JSONSerialization.jsonObject(with: Data(try api.api.modelMetadata(registered, versions: [registered])))
                as? [String: Any] ?? [:]
            #expect(metadata["weights_digest"] as? String == want["weights_digest"] as? String)
            #expect(
                NSDictionary(dictionary: metadata["model"] as? [String: Any] ?? [:]).isEqual(to: want["model"] as? [String: Any] ?? [:]))
            let input = try JSONSerialization.data(withJSONObject: ["input": want["input"]!])
            let answer = api.call("POST", "/v1/models/\(name)/versions/\(version)/predict", String(decoding: input, as: UTF8.self))
            #expect(answer.status == 200, "\(answer.json)")
            #expect(
                NSDictionary(dictionary: answer.json["output"] as? [String: Any] ?? [:]).isEqual(
                    to: want["output"] as? [String: Any] ?? [:]))
        }
        let reopened = try APIHarness(directory: harness.directory)
        try check(reopened, version: 1)
        // The same model stored again, now in the binary form.
        let model = try reopened.api.store.get(name: name).model
        let second = try reopened.api.store.put(name: name, model: model)
        #expect(second.version == 2)
        #expect(FileManager.default.fileExists(atPath: harness.directory + "/\(name)/v2.model"))
        let restarted = try APIHarness(directory: harness.directory)
        #expect(restarted.api.store.loadProblems.isEmpty, "\(restarted.api.store.loadProblems)")
        try check(restarted, version: 1)
        try check(restarted, version: 2)
    }

    /// Cut anywhere, a file is refused with an error (never a trap, never a partial model).
    @Test func everyTruncationIsRefused() throws {
        let (file, _) = ModelStoreFile.bytes(try Self.chain())
        for length in 0..<file.count {
            #expect(throws: ServiceError.self, "cut at \(length) of \(file.count)") { try Self.read(Array(file[0..<length])) }
        }
        #expect(throws: ServiceError.self) { try Self.read(file + [0]) }
    }

    /// A flipped bit in the weights or in the digest is caught by the digest; one in the
    /// prefix, header or padding is refused or changes only what the header says (a name, a
    /// time), never the weights.
    @Test func everyFlippedBitInTheWeightsIsCaught() throws {
        let registered = try Self.chain()
        let (file, digest) = ModelStoreFile.bytes(registered)
        let start = Self.weightsStart(file)
        for index in file.indices {
            var damaged = file
            damaged[index] ^= 0x10
            let result = Result { () throws(ServiceError) in try Self.read(damaged) }
            if index >= start {
                #expect(throws: ServiceError.self, "byte \(index) of the weights or digest") { try result.get() }
            } else if case .success(let loaded) = result {
                #expect(loaded.weightsDigest == digest, "byte \(index) of the header")
            }
        }
    }

    /// Files whose header lies: every one a `ServiceError`, most of them `storage_error`.
    @Test func hostileHeadersAreRefused() throws {
        let (file, _) = ModelStoreFile.bytes(try Self.chain())
        let start = Self.weightsStart(file)
        let count = Int(file[8..<16].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let weightBytes = file.count - start - 32
        func header(_ edit: @escaping (String) -> String) -> [UInt8] { Self.withHeader(file, edit) }
        let cases: [(String, [UInt8])] = [
            ("bad magic", [0x89, 0x44, 0x53, 0x4E] + file[4...]),
            ("header length 2^64 - 1", ModelStoreFile.magic + Self.littleEndian(.max) + file[16...]),
            ("header length 2^63", ModelStoreFile.magic + Self.littleEndian(1 << 63) + file[16...]),
            ("header length past the file", ModelStoreFile.magic + Self.littleEndian(UInt64(file.count)) + file[16...]),
            ("header length one short", ModelStoreFile.magic + Self.littleEndian(UInt64(count - 1)) + file[16...]),
            ("header length one long", ModelStoreFile.magic + Self.littleEndian(UInt64(count + 1)) + file[16...]),
            ("padding not zero", Array(file[0..<(start - 1)]) + [1] + file[start...]),
            ("header not JSON", header { "{" + $0 }),
            ("header an array", header { "[" + $0 + "]" }),
            ("format_version 1", header { $0.replacingOccurrences(of: #""format_version":2"#, with: #""format_version":1"#) }),
            ("format_version 3", header { $0.replacingOccurrences(of: #""format_version":2"#, with: #""format_version":3"#) }),
            ("another format", header { $0.replacingOccurrences(of: "denseserve-model", with: "other-model") }),
            (
                "weights_bytes + 1",
                header { $0.replacingOccurrences(of: #""weights_bytes":\#(weightBytes)"#, with: #""weights_bytes":\#(weightBytes + 1)"#) }
            ),
            (
                "weights_bytes - 4",
                header { $0.replacingOccurrences(of: #""weights_bytes":\#(weightBytes)"#, with: #""weights_bytes":\#(weightBytes - 4)"#) }
            ),
            (
                "weights_bytes huge",
                header { $0.replacingOccurrences(of: #""weights_bytes":\#(weightBytes)"#, with: #""weights_bytes":9223372036854775000"#) }
            ),
            (
                "weights_bytes negative",
                header { $0.replacingOccurrences(of: #""weights_bytes":\#(weightBytes)"#, with: #""weights_bytes":-1"#) }
            ),
            ("no weights table", header { $0.replacingOccurrences(of: #""weights":["#, with: #""weights_table":["#) }),
            ("kernel shape swapped", header { $0.replacingOccurrences(of: #"{"shape":[4,6]"#, with: #"{"shape":[6,4]"#) }),
            ("kernel shape rank 3", header { $0.replacingOccurrences(of: #"{"shape":[4,6]"#, with: #"{"shape":[4,6,1]"#) }),
            ("kernel shape negative", header { $0.replacingOccurrences(of: #"{"shape":[4,6]"#, with: #"{"shape":[-4,-6]"#) }),
            (
                "kernel shape overflowing",
                header { $0.replacingOccurrences(of: #"{"shape":[4,6]"#, with: #"{"shape":[4294967296,4294967296]"#) }
            ),
            ("kernel shape empty", header { $0.replacingOccurrences(of: #"{"shape":[4,6]"#, with: #"{"shape":[]"#) }),
            (
                "kernel dtype float64",
                header { $0.replacingOccurrences(of: #"{"shape":[4,6],"dtype":"float32"}"#, with: #"{"shape":[2,6],"dtype":"float64"}"#) }
            ),
            (
                "kernel dtype float16",
                header { $0.replacingOccurrences(of: #"{"shape":[4,6],"dtype":"float32"}"#, with: #"{"shape":[4,6],"dtype":"float16"}"#) }
            ),
            ("an array missing", header { $0.replacingOccurrences(of: #"{"shape":[4,6],"dtype":"float32"},"#, with: "") }),
            (
                "an array left over",
                header { $0.replacingOccurrences(of: #"],"weights_bytes""#, with: #",{"shape":[0],"dtype":"float32"}],"weights_bytes""#) }
            ),
            (
                "a layer holds its kernel",
                header { $0.replacingOccurrences(of: #""units":6,"#, with: #""units":6,"kernel":[[1,2,3,4,5,6]],"#) }
            ),
            ("units against the table", header { $0.replacingOccurrences(of: #""units":6,"#, with: #""units":5,"#) }),
            ("a huge declared input shape", header { $0.replacingOccurrences(of: "[null,2,2]", with: "[null,4294967296,4294967296,2]") }),
            ("a bad name", header { $0.replacingOccurrences(of: #""name":"chain""#, with: #""name":"../chain""#) }),
            ("no layers", header { $0.replacingOccurrences(of: #""layers":["#, with: #""stack":["#) }),
            ("digest flipped", Array(file.dropLast()) + [file.last! ^ 1]),
        ]
        for (what, bytes) in cases {
            #expect(bytes != file, "\(what): the mutation changed nothing")
            #expect(throws: ServiceError.self, "\(what)") { try Self.read(bytes) }
        }
        for (what, bytes) in cases.prefix(7) {
            do throws(ServiceError) {
                _ = try Self.read(bytes)
            } catch {
                #expect(error.code == "storage_error", "\(what): \(error)")
            }
        }
    }

    /// In the store: a corrupt `v1.model` is reported and skipped, never deleted, and the
    /// other models load; a version in both forms loads the binary one and reports the JSON.
    @Test func theStoreSkipsCorruptFilesAndPrefersTheBinaryForm() throws {
        let harness = try APIHarness()
        #expect(harness.call("PUT", "/v1/models/good", #"{"layer": {"units": 2, "kernel": [[1, 2], [3, 4]]}}"#).status == 201)
        #expect(harness.call("PUT", "/v1/models/both", #"{"layer": {"units": 1, "kernel": [[5]]}}"#).status == 201)
        let good = try Data(contentsOf: URL(fileURLWithPath: harness.directory + "/good/v1.model"))
        try FileManager.default.createDirectory(atPath: harness.directory + "/bad", withIntermediateDirectories: true)
        try good.prefix(good.count - 1).write(to: URL(fileURLWithPath: harness.directory + "/bad/v1.model"))
        let legacy = String(decoding: try Self.fixture("native/v1.json"), as: UTF8.self)
        try legacy.replacingOccurrences(of: #""name":"native""#, with: #""name":"both""#)
            .write(toFile: harness.directory + "/both/v1.json", atomically: true, encoding: .utf8)
        let reopened = try APIHarness(directory: harness.directory)
        let problems = reopened.api.store.loadProblems.map(\.path).sorted()
        #expect(problems == [harness.directory + "/bad/v1.model", harness.directory + "/both/v1.json"], "\(problems)")
        #expect(FileManager.default.fileExists(atPath: harness.directory + "/bad/v1.model"), "a corrupt file is never deleted")
        #expect(reopened.call("GET", "/v1/models/bad").status == 404)
        func output(_ name: String, _ body: String) -> [[Double]]? {
            (reopened.call("POST", "/v1/models/\(name)/predict", body).json["output"] as? [String: Any])?["data"] as? [[Double]]
        }
        #expect(output("good", #"{"input": [[1, 1]]}"#) == [[4, 6]])
        #expect(output("both", #"{"input": [[2]]}"#) == [[10]])
    }
}
