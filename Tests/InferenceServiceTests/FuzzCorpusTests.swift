import TestSupport
import Testing

@_spi(Fuzzing) @testable import InferenceService

/// Every seed and crash reproducer of the `model`, `v2` and `store` fuzz targets runs through
/// the target's checks (a broken invariant traps, failing the run).
@Suite struct FuzzCorpusTests {
    @Test func modelCorpusReplays() {
        let count = Repository.replayFuzzCorpus("model") { InferenceFuzzing.denseRequest($0) }
        #expect(count >= 5)
    }

    @Test func v2CorpusReplays() {
        let count = Repository.replayFuzzCorpus("v2") { InferenceFuzzing.v2Request($0) }
        #expect(count >= 5)
    }

    /// The `store` seeds are written by `make-seeds.py` from the format's description in
    /// `ModelStoreFile` (an implementation of it in Python): each `seed-*` loads.
    @Test func storeCorpusReplaysAndItsSeedsLoad() {
        let corpus = Repository.fuzzCorpus("store")
        #expect(corpus.filter { $0.name.hasPrefix("seed-") }.count >= 3)
        for (name, bytes) in corpus {
            InferenceFuzzing.storeFile(bytes)
            guard name.hasPrefix("seed-") else { continue }
            #expect(throws: Never.self, "\(name)") {
                try ModelStoreFile.read(StoreFileBytes(bytes: bytes), limits: InferenceFuzzing.limits)
            }
        }
    }
}
