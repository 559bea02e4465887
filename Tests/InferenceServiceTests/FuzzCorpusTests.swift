@_spi(Fuzzing) import InferenceService
import TestSupport
import Testing

/// Every seed and crash reproducer of the `model` and `v2` fuzz targets runs through the
/// target's checks (a broken invariant traps, failing the run).
@Suite struct FuzzCorpusTests {
    @Test func modelCorpusReplays() {
        let count = Repository.replayFuzzCorpus("model") { InferenceFuzzing.denseRequest($0) }
        #expect(count >= 5)
    }

    @Test func v2CorpusReplays() {
        let count = Repository.replayFuzzCorpus("v2") { InferenceFuzzing.v2Request($0) }
        #expect(count >= 5)
    }
}
