@_spi(Fuzzing) import KerasFile
import TestSupport
import Testing

/// Every seed and `regress-*` reproducer of the `keras` fuzz target (Fuzz/corpus/keras) runs
/// through the target (a broken invariant traps, failing the run).
@Suite struct FuzzCorpusTests {
    @Test func kerasCorpusReplays() {
        let count = Repository.replayFuzzCorpus("keras") { KerasFileFuzzing.open($0) }
        #expect(count >= 5)
    }
}
