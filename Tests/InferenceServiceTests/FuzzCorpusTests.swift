import Foundation
import Testing

@_spi(Fuzzing) @testable import InferenceService

/// The files of a `Fuzz/corpus/<target>` folder (seeds and `regress-*` reproducers of bugs
/// the fuzzers found), sorted by name.
func fuzzCorpus(_ target: String, file: String = #filePath) -> [(String, [UInt8])] {
    let root = URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let folder = root.appendingPathComponent("Fuzz/corpus/\(target)")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { !$0.hasPrefix(".") }.sorted().map { name in
        (name, Array(FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) ?? Data()))
    }
}

/// Every seed and crash reproducer of the `model`, `v2` and `store` fuzz targets runs through
/// the target's checks (a broken invariant traps, failing the run).
@Suite struct FuzzCorpusTests {
    @Test func modelCorpusReplays() {
        let corpus = fuzzCorpus("model")
        #expect(corpus.count >= 5)
        for (_, bytes) in corpus { InferenceFuzzing.denseRequest(bytes) }
    }

    @Test func v2CorpusReplays() {
        let corpus = fuzzCorpus("v2")
        #expect(corpus.count >= 5)
        for (_, bytes) in corpus { InferenceFuzzing.v2Request(bytes) }
    }

    /// The `store` seeds are written by `make-seeds.py` from the format's description in
    /// `ModelStoreFile` (an implementation of it in Python): each `seed-*` loads.
    @Test func storeCorpusReplaysAndItsSeedsLoad() {
        let corpus = fuzzCorpus("store")
        #expect(corpus.filter { $0.0.hasPrefix("seed-") }.count >= 3)
        for (name, bytes) in corpus {
            InferenceFuzzing.storeFile(bytes)
            guard name.hasPrefix("seed-") else { continue }
            #expect(throws: Never.self, "\(name)") {
                try ModelStoreFile.read(StoreFileBytes(bytes: bytes), limits: InferenceFuzzing.limits)
            }
        }
    }
}
